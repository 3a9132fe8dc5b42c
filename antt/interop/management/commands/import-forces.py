"""``antt import-forces --event CODE FILE [FILE] [--dry-run] [--json]``: units and officers from XLSX/CSV.

Prints the report (new, updated, unchanged; every problem with sheet, row and column). Exit code 2 and
nothing written when the file has any error; ``--dry-run`` checks everything and writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.core.errors import DomainError
from antt.interop import forces_import, forces_sheet
from antt.interop.management.commands._cli import add_user_argument, event_of, problem_line, user_of


class Command(BaseCommand):
    help = "Import units and officers from an XLSX workbook or CSV files (all or nothing; by code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", metavar="CODE", required=True, help="The event's code.")
        parser.add_argument("files", nargs="+", metavar="FILE", help="XLSX workbook, or CSV file(s).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        event = event_of(options["event"])
        actor = user_of(options["user"])
        files = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("No such file: %(name)s") % {"name": name}, returncode=2)
            files.append((path.name, path.read_bytes()))
        parsed = forces_sheet.parse(files, tz=event.tz)
        try:
            report = forces_import.import_forces(
                actor=actor, event=event, parsed=parsed, commit=not options["dry_run"]
            )
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for kind, label in (("units", _("Units")), ("officers", _("Officers"))):
                c = report.counts(kind)
                self.stdout.write(
                    _("%(label)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged")
                    % {"label": label, **c}
                )
            for problem in report.problems:
                self.stdout.write(problem_line(problem))
        if report.errors:
            raise CommandError(
                _("%(count)d error(s): nothing was written.") % {"count": len(report.errors)}, returncode=2
            )
        if report.written:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
        else:
            self.stdout.write(_("Dry run: nothing was written."))
