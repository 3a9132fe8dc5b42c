"""``antt apidocs``: rewrite the endpoint reference in docs/api.md from the OpenAPI schema; ``--check``
only says whether it is current (exit status 1 when stale)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.core import apidocs


class Command(BaseCommand):
    help = "Write docs/api.md's endpoint reference from the OpenAPI schema (--check: fail when stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Do not write; exit 1 when the page is stale."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current = apidocs.DOC.read_text(encoding="utf-8")
        wanted = apidocs.render(current, apidocs.schema())
        if options["check"]:
            if wanted != current:
                raise CommandError("docs/api.md is stale: run `antt apidocs`.", returncode=1)
            self.stdout.write("docs/api.md is current.")
            return
        if wanted != current:
            apidocs.DOC.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"docs/api.md written ({wanted.count(chr(10)) + 1} lines).")
