"""``antt plan export --event CODE [--out FILE]`` and ``antt plan import (--event CODE | --new-event CODE) FILE``.

The whole plan of an event as one JSON scenario file (docs/scenario.md). Import checks the whole file
first (schema, references, domain rules) and writes nothing when anything is wrong: exit code 2 with
every problem and its JSON path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.core.errors import DomainError
from antt.interop import exports, scenario, scenario_export, scenario_import
from antt.interop.management.commands._cli import add_user_argument, event_of, problem_line, user_of


class Command(BaseCommand):
    help = "Export or import the whole plan of an event as one JSON scenario file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, parser_class=type(parser))
        export = sub.add_parser("export", help="Write the event's plan as a scenario file.")
        export.add_argument("--event", metavar="CODE", required=True)
        export.add_argument("--out", metavar="FILE", help="Write here instead of standard output.")
        add_user_argument(export)
        load = sub.add_parser("import", help="Load a scenario file into an empty event or a new one.")
        target = load.add_mutually_exclusive_group(required=True)
        target.add_argument("--event", metavar="CODE", help="An existing event with no plan yet.")
        target.add_argument("--new-event", metavar="CODE", help="Create this event from the file.")
        load.add_argument("file", metavar="FILE")
        load.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        add_user_argument(load)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "export":
                self._export(options)
            else:
                self._import(options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _export(self, options: dict[str, Any]) -> None:
        event = event_of(options["event"])
        actor = user_of(options["user"], required=False)
        if actor is None:  # the operator at the server's console: audited without an account
            data = scenario_export.scenario_of(event)
            exports.audit_console_export(event, "scenario", len(data["assignments"]))
        else:
            data = scenario_export.export_scenario(actor=actor, event=event)
        text = scenario.dumps(data)
        if options.get("out"):
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(_("Written to %(file)s.") % {"file": options["out"]})
        else:
            self.stdout.write(text, ending="")

    def _import(self, options: dict[str, Any]) -> None:
        actor = user_of(options["user"])
        event = event_of(options["event"]) if options.get("event") else None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(name)s") % {"name": options["file"]}, returncode=2)
        if path.stat().st_size > scenario.MAX_BYTES:
            data, unreadable = None, [scenario.too_large()]
        else:
            data, unreadable = scenario.loads(path.read_bytes())
        if unreadable:
            raise CommandError(problem_line(unreadable[0]), returncode=2)
        report = scenario_import.import_scenario(
            actor=actor,
            data=data,
            event=event,
            new_event_code=options.get("new_event"),
            commit=not options["dry_run"],
        )
        for problem in report.problems:
            self.stdout.write(problem_line(problem))
        if report.errors:
            raise CommandError(
                _("%(count)d error(s): nothing was written.") % {"count": len(report.errors)}, returncode=2
            )
        summary = ", ".join(f"{k}: {v}" for k, v in report.counts.items())
        if report.written:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported into %(event)s (%(summary)s).")
                    % {"event": report.event.code, "summary": summary}
                )
            )
        else:
            self.stdout.write(_("Dry run: nothing was written (%(summary)s).") % {"summary": summary})
