"""``antt field_purge [--every HOURS]``: delete the field's old positions and Idempotency-Key records.

Positions go after the event's retention period (``ANTT_POSITION_RETENTION_DAYS``, 30), Idempotency-Key
answers after three days. ``antt ops_timers`` already does this every 24 hours; run this command by hand,
from cron (``30 3 * * * cd /srv/antt && .venv/bin/antt field_purge``) where the timers run with
``--purge-every 0``, or as ``antt field_purge --every 24`` under the service manager.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from antt.operations import retention


class Command(BaseCommand):
    help = "Delete positions past the retention period and old Idempotency-Key records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", metavar="HOURS", type=float, help="Keep running: one pass every HOURS."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.get("every")
        while True:
            points, keys = retention.purge()
            self.stdout.write(
                _("Deleted %(points)d position(s) and %(keys)d Idempotency-Key record(s).")
                % {"points": points, "keys": keys}
            )
            if not every:
                return
            time.sleep(max(every, 0.01) * 3600)
