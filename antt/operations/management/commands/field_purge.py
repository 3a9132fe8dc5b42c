"""``antt field_purge [--every HOURS]``: delete the field's old positions and Idempotency-Key records.

Positions go after the event's retention period (``ANTT_POSITION_RETENTION_DAYS``, 30), Idempotency-Key
answers after three days. Run it daily from the scheduler (cron or a systemd timer:
``30 3 * * * cd /srv/antt && .venv/bin/antt field_purge``), or ``antt field_purge --every 24`` under the
service manager beside ``antt db_worker`` and ``antt ops_timers`` (as ``antt audit checkpoint --every``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from antt.operations import field_positions, idempotency


class Command(BaseCommand):
    help = "Delete positions past the retention period and old Idempotency-Key records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", metavar="HOURS", type=float, help="Keep running: one pass every HOURS."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.get("every")
        while True:
            points = field_positions.purge_positions()
            keys = idempotency.purge()
            self.stdout.write(
                _("Deleted %(points)d position(s) and %(keys)d Idempotency-Key record(s).")
                % {"points": points, "keys": keys}
            )
            if not every:
                return
            time.sleep(max(every, 0.01) * 3600)
