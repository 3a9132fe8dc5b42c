"""``antt coverage --event CODE [--json]``: the coverage findings of an event's plan.

Text: the counts by kind, then each finding explained in the active language. JSON: every finding with
its kind, severity, window, role, objects, numbers and the explanation in both languages.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.core.languages import current_language
from antt.events.models import Event
from antt.planning import coverage, coverage_audit


class Command(BaseCommand):
    help = "Print the coverage findings (gaps, conflicts, rule breaches) of an event's plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", metavar="CODE", required=True, help="The event's code.")
        parser.add_argument("--json", action="store_true", help="Print every finding as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(code=options["event"]).first()
        if event is None:
            raise CommandError(
                _("No event with the code %(code)s.") % {"code": options["event"]}, returncode=2
            )
        findings = coverage_audit.coverage_for(event)
        label = coverage_audit.coverage_labels(event, findings)
        counts = Counter(str(f.kind) for f in findings)
        if options["json"]:
            data = {
                "event": event.code,
                "total": len(findings),
                "counts": dict(sorted(counts.items())),
                "findings": [
                    {
                        "kind": str(f.kind),
                        "severity": str(f.severity),
                        "starts_at": coverage.datetime_of(f.window.start, event.tz).isoformat(),
                        "ends_at": coverage.datetime_of(f.window.end, event.tz).isoformat(),
                        "role": f.role,
                        "objects": {name: list(ids) for name, ids in f.objects().items()},
                        "numbers": dict(f.numbers),
                        "explanation": {
                            lang: coverage.explain(f, lang, label) for lang in coverage.LANGUAGES
                        },
                    }
                    for f in findings
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        lang = current_language()
        self.stdout.write(
            _("%(event)s: %(count)d finding(s)") % {"event": event.code, "count": len(findings)}
        )
        for kind in coverage.FindingKind:
            if counts.get(str(kind)):
                self.stdout.write(f"  {kind:<28} {counts[str(kind)]:>6}")
        for f in findings:
            self.stdout.write(f"[{f.severity}] {f.kind}: {coverage.explain(f, lang, label)}")
