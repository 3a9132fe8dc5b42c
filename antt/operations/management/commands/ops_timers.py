"""``antt ops_timers``: the escalation loop (run it next to ``antt db_worker``; ``antt demo`` starts both).
It also deletes the field's positions past their retention period and old Idempotency-Key answers, at start
and then every ``--purge-every`` hours (24; 0 leaves that to ``antt field_purge`` from cron)."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.operations import escalation, retention


class Command(BaseCommand):
    help = "Run the operations room's escalation timers (derived from the database every pass)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--purge-every",
            metavar="HOURS",
            type=float,
            default=24.0,
            help="Delete positions past retention and old Idempotency-Key records every HOURS (0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            fired = escalation.tick()
            self.stdout.write(_("%(count)d escalation(s) fired.") % {"count": len(fired)})
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write(_("Escalation timers running (every %(s)s s).") % {"s": options["interval"]})
        every = options["purge_every"]
        if every is None or every < 0:
            raise CommandError(_("--purge-every must be 0 or a number of hours."))
        chores = [retention.PurgeEvery(timedelta(hours=every))] if every > 0 else []
        escalation.run_loop(interval=max(0.2, options["interval"]), stop=stop, chores=chores)
