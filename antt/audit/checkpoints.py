"""Signed checkpoints of the audit trail's heads, and where they are kept: ``ANTT_AUDIT_CHECKPOINT_DIR``.

A checkpoint is the HMAC-signed head ``(seq, hash)`` of every chain (``make_checkpoint``); ``load_checkpoint``
checks its shape and signature.

``antt audit checkpoint --auto`` (run by the scheduler, or ``--every MINUTES`` under the service
manager) writes ``audit-checkpoint-<UTC time>.json`` there, each made from the one before (only what came
after it is re-hashed, and the trail must still hold it), and rotates old files. ``antt audit verify``
starts from the newest one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import verification
from antt.audit.services import canonical_json
from antt.core.errors import Invalid

PREFIX = "audit-checkpoint-"
SUFFIX = ".json"


# --- signing ---------------------------------------------------------------------------------------------


def _sign(body: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body).encode(), hashlib.sha256).hexdigest()


def _audit_key() -> str:
    if not settings.AUDIT_KEY:
        raise Invalid(_("ANTT_AUDIT_KEY is not set: checkpoints need a secret key to sign them."))
    return str(settings.AUDIT_KEY)


def make_checkpoint(
    *, previous: Mapping[str, Any] | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The signed head of every chain::

        {"version": 2, "count", "time", "chains": {chain: [seq, hash]}, "unkeyed": {chain: seq}, "signature"}

    ``unkeyed`` records where each chain switched to keyed entries (the seq of its last unkeyed entry; a
    chain that is keyed throughout is absent). With ``previous`` (the last checkpoint), only what came
    after it is re-hashed, and the trail must still hold it: a checkpoint never seals a tampered trail.
    """
    _audit_key()
    # A version 1 checkpoint does not say where chains switched to keyed entries: re-hash everything.
    full = previous is None or "unkeyed" not in previous
    result = verification.verify(checkpoint=previous, full=full)
    if not result.ok:
        raise Invalid(result.summary())
    if not full and previous is not None:
        unkeyed = {int(k): int(v) for k, v in previous["unkeyed"].items()}
        unkeyed.update(result.unkeyed)  # the chains re-hashed in full (new since the previous checkpoint)
    else:
        unkeyed = result.unkeyed
    body: dict[str, Any] = {
        "version": 2,
        "count": sum(seq for seq, _digest in result.chains.values()),
        "time": (now or timezone.now()).astimezone(UTC).isoformat(),
        "chains": {str(k): [seq, digest] for k, (seq, digest) in sorted(result.chains.items())},
        "unkeyed": {str(k): v for k, v in sorted(unkeyed.items()) if v},
    }
    body["signature"] = _sign(body, _audit_key())
    return body


def load_checkpoint(data: Any) -> dict[str, Any]:
    """Check the shape and the HMAC signature of a checkpoint; raise ``Invalid`` with the reason."""
    if not isinstance(data, dict) or not {"version", "count", "time", "chains", "signature"} <= set(data):
        raise Invalid(_("This is not an ANTT audit checkpoint file."))
    body = {k: v for k, v in data.items() if k != "signature"}
    if not hmac.compare_digest(_sign(body, _audit_key()), str(data["signature"])):
        raise Invalid(
            _("The checkpoint's signature is wrong: the file was changed or signed with another key.")
        )
    return data


# --- the checkpoint directory ----------------------------------------------------------------------------


def directory() -> Path | None:
    """The configured checkpoint directory, or None when ``ANTT_AUDIT_CHECKPOINT_DIR`` is not set."""
    return Path(settings.AUDIT_CHECKPOINT_DIR) if settings.AUDIT_CHECKPOINT_DIR else None


def _files(folder: Path) -> list[Path]:
    """Checkpoint files, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def read(path: Path) -> dict[str, Any]:
    """A checkpoint file, its signature checked (``Invalid`` when it is not one or was changed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid(_("%(file)s is not a readable audit checkpoint.") % {"file": path}) from exc
    return load_checkpoint(data)


def newest(folder: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The newest checkpoint in the directory, its signature checked; None when there is none.
    A newest file that is not a valid signed checkpoint raises ``Invalid``: the store was tampered with."""
    folder = folder or directory()
    if folder is None:
        return None
    files = _files(folder)
    if not files:
        return None
    return files[-1], read(files[-1])


def age(checkpoint: dict[str, Any], now: datetime | None = None) -> timedelta:
    return (now or timezone.now()) - datetime.fromisoformat(str(checkpoint["time"]))


def write(folder: Path | None = None, *, now: datetime | None = None) -> tuple[Path, dict[str, Any]]:
    """Make a checkpoint from the newest one in ``folder``, write it atomically, rotate; return it."""
    folder = folder or directory()
    if folder is None:
        raise Invalid(_("ANTT_AUDIT_CHECKPOINT_DIR is not set: there is nowhere to keep checkpoints."))
    folder.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    found = newest(folder)
    data = make_checkpoint(previous=found[1] if found else None, now=now)
    path = folder / f"{PREFIX}{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=SUFFIX)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    Path(tmp).replace(path)
    rotate(folder, now=now)
    return path, data


def rotate(folder: Path, *, now: datetime) -> list[Path]:
    """Remove checkpoints beyond the newest ``ANTT_AUDIT_CHECKPOINT_KEEP`` or older than
    ``ANTT_AUDIT_CHECKPOINT_KEEP_DAYS`` days; the newest is always kept. Returns the removed files."""
    files = _files(folder)
    keep, days = int(settings.AUDIT_CHECKPOINT_KEEP), int(settings.AUDIT_CHECKPOINT_KEEP_DAYS)
    cutoff = (now - timedelta(days=days)).astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    removed = []
    for index, path in enumerate(files[:-1]):
        stamp = path.name[len(PREFIX) : -len(SUFFIX)]
        if index < len(files) - keep or stamp < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
