"""``antt ops_timers``: the escalation loop (run it next to ``antt db_worker``; ``antt demo`` starts both)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from antt.operations import escalation


class Command(BaseCommand):
    help = "Run the operations room's escalation timers (derived from the database every pass)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            fired = escalation.tick()
            self.stdout.write(_("%(count)d escalation(s) fired.") % {"count": len(fired)})
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write(_("Escalation timers running (every %(s)s s).") % {"s": options["interval"]})
        escalation.run_loop(interval=max(0.2, options["interval"]), stop=stop)
