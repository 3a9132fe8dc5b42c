"""``antt documents new-key`` prints a fresh master key; ``antt documents rotate-keys`` re-wraps every data
key under the current master key (the first of ANTT_DOCUMENTS_KEYS), without re-encrypting files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from antt.documents import crypto, services


class Command(BaseCommand):
    help = "Classified documents: master keys (new-key, rotate-keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["new-key", "rotate-keys"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "new-key":
            self.stdout.write(crypto.generate_master_key())
            return
        done = services.rotate_keys()
        self.stdout.write(
            f"Re-wrapped {done} data keys under master key {crypto.master_keys().current_id!r}."
        )
