"""``antt audit verify [--event CODE] [--checkpoint FILE] [--full]`` and
``antt audit checkpoint (--out FILE | --auto [--every MINUTES])``.

Exit codes of ``verify``: 0 verified; 1 broken (or a checkpoint in the store is not validly signed);
2 cannot run (unknown event, unreadable file, no key); 3 verified, but ``ANTT_AUDIT_CHECKPOINT_DIR`` holds
no checkpoint younger than ``ANTT_AUDIT_CHECKPOINT_MAX_AGE_HOURS``: a cut tail, a deleted chain or an
emptied table since then cannot be seen (the warning is also written to standard error).

It lives with the events because it resolves ``--event CODE``; ``antt.audit`` itself imports no domain app.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.audit import checkpoints, verification
from antt.core.errors import DomainError, Invalid

EXIT_BROKEN, EXIT_ERROR, EXIT_NO_RECENT_CHECKPOINT = 1, 2, 3


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail, or write a signed checkpoint of its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, parser_class=type(parser))
        verify = sub.add_parser(
            "verify", help="Recompute the hash chain(s); exit 1 at the first broken entry."
        )
        verify.add_argument("--event", metavar="CODE", help="Only this event's chain.")
        verify.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="Check against this checkpoint (default: the newest in ANTT_AUDIT_CHECKPOINT_DIR).",
        )
        verify.add_argument(
            "--full",
            action="store_true",
            help="Re-hash every entry, not only those after the checkpoint.",
        )
        verify.add_argument("--workers", type=int, default=None, help="Processes for large trails.")
        checkpoint = sub.add_parser("checkpoint", help="Write the signed head (count, hash, time) to a file.")
        where = checkpoint.add_mutually_exclusive_group(required=True)
        where.add_argument("--out", metavar="FILE")
        where.add_argument(
            "--auto",
            action="store_true",
            help="Write into ANTT_AUDIT_CHECKPOINT_DIR from the newest checkpoint there, and rotate.",
        )
        checkpoint.add_argument(
            "--every", metavar="MINUTES", type=float, help="With --auto: keep running, one every MINUTES."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "verify":
                self._verify(options)
            elif options.get("auto"):
                self._auto(options)
            else:
                self._checkpoint(options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=EXIT_ERROR) from exc

    def _verify(self, options: dict[str, Any]) -> None:
        chain = None
        if options.get("event"):
            from antt.events.models import Event

            event = Event.objects.filter(code=options["event"]).first()
            if event is None:
                raise CommandError(
                    _("No event with the code %(code)s.") % {"code": options["event"]}, returncode=EXIT_ERROR
                )
            chain = event.pk
        checkpoint, warning = None, ""
        if options.get("checkpoint"):
            checkpoint = checkpoints.load_checkpoint(_read_json(options["checkpoint"]))
        else:
            try:
                found = checkpoints.newest()
            except Invalid as exc:
                raise CommandError(
                    _("The checkpoint store was tampered with: %(reason)s") % {"reason": exc},
                    returncode=EXIT_BROKEN,
                ) from exc
            max_age = timedelta(hours=float(settings.AUDIT_CHECKPOINT_MAX_AGE_HOURS))
            if checkpoints.directory() is None:
                warning = _(
                    "WARNING: ANTT_AUDIT_CHECKPOINT_DIR is not set, so no checkpoint was used: a cut tail, a "
                    "deleted chain or an emptied table cannot be detected."
                )
            elif found is None:
                warning = _(
                    "WARNING: no checkpoint in %(dir)s: a cut tail, a deleted chain or an emptied table "
                    "cannot be detected. Is `antt audit checkpoint --auto` running?"
                ) % {"dir": checkpoints.directory()}
            else:
                checkpoint = found[1]
                if checkpoints.age(checkpoint) > max_age:
                    warning = _(
                        "WARNING: the newest checkpoint (%(time)s) is older than %(hours)s hours: what "
                        "happened after it to the end of the trail cannot be proved. Is `antt audit "
                        "checkpoint --auto` running?"
                    ) % {"time": checkpoint["time"], "hours": settings.AUDIT_CHECKPOINT_MAX_AGE_HOURS}
        full = options.get("full") or checkpoint is None
        started = time.perf_counter()
        result = verification.verify(
            chain=chain, checkpoint=checkpoint, full=full, workers=options.get("workers")
        )
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise CommandError(result.summary(), returncode=EXIT_BROKEN)
        self.stdout.write(result.summary() + " " + _("(%(seconds).2f s)") % {"seconds": elapsed})
        if checkpoint is not None:
            self.stdout.write(
                _("The trail still contains the checkpoint of %(time)s unchanged.")
                % {"time": checkpoint["time"]}
            )
        if warning:
            self.stderr.write(warning)
            if checkpoints.directory() is not None:
                raise CommandError(warning, returncode=EXIT_NO_RECENT_CHECKPOINT)

    def _checkpoint(self, options: dict[str, Any]) -> None:
        data = checkpoints.make_checkpoint()
        out = Path(options["out"])
        try:
            out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s") % {"file": out, "reason": exc.strerror},
                returncode=EXIT_ERROR,
            ) from exc
        self.stdout.write(
            _("Checkpoint written to %(file)s: %(count)d entries, %(chains)d chains.")
            % {"file": out, "count": data["count"], "chains": len(data["chains"])}
        )

    def _auto(self, options: dict[str, Any]) -> None:
        every = options.get("every")
        while True:
            try:
                path, data = checkpoints.write()
            except OSError as exc:
                raise CommandError(
                    _("Cannot write into %(dir)s: %(reason)s")
                    % {"dir": checkpoints.directory(), "reason": exc.strerror},
                    returncode=EXIT_ERROR,
                ) from exc
            self.stdout.write(
                _("Checkpoint written to %(file)s: %(count)d entries, %(chains)d chains.")
                % {"file": path, "count": data["count"], "chains": len(data["chains"])}
            )
            if not every:
                return
            time.sleep(every * 60)


def _read_json(name: str) -> Any:
    try:
        return json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(file)s: %(reason)s") % {"file": name, "reason": exc.strerror},
            returncode=EXIT_ERROR,
        ) from exc
    except ValueError as exc:
        raise CommandError(
            _("%(file)s is not a JSON checkpoint file.") % {"file": name}, returncode=EXIT_ERROR
        ) from exc
