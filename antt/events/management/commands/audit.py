"""``antt audit verify [--event CODE] [--checkpoint FILE]`` and ``antt audit checkpoint --out FILE``.

It lives with the events because it resolves ``--event CODE``; ``antt.audit`` itself imports no domain app."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.audit import services
from antt.core.errors import DomainError


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail, or write a signed checkpoint of its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, parser_class=type(parser))
        verify = sub.add_parser(
            "verify", help="Recompute the hash chain(s); exit 1 at the first broken entry."
        )
        verify.add_argument("--event", metavar="CODE", help="Only this event's chain.")
        verify.add_argument(
            "--checkpoint", metavar="FILE", help="Also prove nothing before this checkpoint changed."
        )
        checkpoint = sub.add_parser("checkpoint", help="Write the signed head (count, hash, time) to a file.")
        checkpoint.add_argument("--out", metavar="FILE", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "verify":
                self._verify(options)
            else:
                self._checkpoint(options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _verify(self, options: dict[str, Any]) -> None:
        chain = None
        if options.get("event"):
            from antt.events.models import Event

            event = Event.objects.filter(code=options["event"]).first()
            if event is None:
                raise CommandError(
                    _("No event with the code %(code)s.") % {"code": options["event"]}, returncode=2
                )
            chain = event.pk
        checkpoint = None
        if options.get("checkpoint"):
            checkpoint = services.load_checkpoint(_read_json(options["checkpoint"]))
        started = time.perf_counter()
        result = services.verify(chain=chain, checkpoint=checkpoint)
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise CommandError(result.summary(), returncode=1)
        self.stdout.write(result.summary() + " " + _("(%(seconds).2f s)") % {"seconds": elapsed})
        if checkpoint is not None:
            self.stdout.write(
                _("The trail still contains the checkpoint of %(time)s unchanged.")
                % {"time": checkpoint["time"]}
            )

    def _checkpoint(self, options: dict[str, Any]) -> None:
        data = services.make_checkpoint()
        out = Path(options["out"])
        try:
            out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s") % {"file": out, "reason": exc.strerror}, returncode=2
            ) from exc
        self.stdout.write(
            _("Checkpoint written to %(file)s: %(count)d entries, %(chains)d chains.")
            % {"file": out, "count": data["count"], "chains": len(data["chains"])}
        )


def _read_json(name: str) -> Any:
    try:
        return json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(file)s: %(reason)s") % {"file": name, "reason": exc.strerror}, returncode=2
        ) from exc
    except ValueError as exc:
        raise CommandError(
            _("%(file)s is not a JSON checkpoint file.") % {"file": name}, returncode=2
        ) from exc
