"""``Idempotency-Key`` for the field API, after the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field".

- no key (or a malformed one) → 400; the key seen with another body or another URL → 422; the first request
  with that key still in progress → 409; the same key and body again → the first answer, replayed
  (``Idempotent-Replayed: true``).
- The key is claimed in its own short transaction; the write **and** the stored answer then commit in one
  transaction, so an answer the client saw is always stored with what it answered for. A process killed
  between the two leaves only a claim and no write: after ``LEASE`` another request takes the claim over.
- Final 4xx answers are stored and replayed too (the phone shows them; retrying will not change them).
  A 5xx or an unexpected error releases the claim: the phone retries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from antt.operations.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r'^"?([A-Za-z0-9._:-]{8,64})"?$')
LEASE = timedelta(seconds=30)
# Records older than this are deleted by ``purge`` (the draft lets the server choose an expiry).
KEEP = timedelta(days=3)


def fingerprint(request: Request) -> str:
    try:
        raw = request._request.body  # the bytes as sent
    except RawPostDataException:  # a parser read the stream already: its result stands for the body
        data = request.data
        raw = data if isinstance(data, bytes) else json.dumps(data, sort_keys=True, default=str).encode()
    digest = hashlib.sha256()
    digest.update(str(request.method).encode() + b" " + request.path.encode() + b"\n")
    digest.update(raw)
    return digest.hexdigest()


def _problem(status: int, code: str, message: str) -> Response:
    return Response({"detail": message, "code": code}, status=status)


def _claim(user: Any, key: str, request: Request, fp: str) -> IdempotencyRecord | Response:
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user,
                key=key,
                method=str(request.method),
                path=request.path,
                fingerprint=fp,
                created_at=now,
            )
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:  # released between our insert and our read: try once more
        return _claim(user, key, request, fp)
    if record.fingerprint != fp or record.path != request.path:
        return _problem(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for another request. Send a new key."),
        )
    if record.status_code is not None:
        response = Response(json.loads(record.body or "null"), status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
    # In progress: unless its lease ran out (the process that claimed it died), answer 409.
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, status_code__isnull=True, created_at__lt=now - LEASE
    ).update(created_at=now)
    if taken:
        record.created_at = now
        return record
    response = _problem(
        409,
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed; try again shortly."),
    )
    response["Retry-After"] = "1"
    return response


def _store(record: IdempotencyRecord, response: Response) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code,
        body=json.dumps(response.data, cls=DjangoJSONEncoder),
        completed_at=timezone.now(),
    )


def idempotent(
    method: Callable[..., Response] | None = None, *, checks: Callable[..., Any] | None = None
) -> Any:
    """Wrap an APIView's ``post``: claim the key, run the write, store its answer in the write's
    transaction.

    ``checks`` (optional), a function of the same arguments as ``post``, runs after the claim and before the
    write's transaction: the reads and checks that need no lock. Its result reaches ``post`` as ``checked``,
    and an error it raises is answered (and stored) like one from ``post``. On SQLite the write's
    transaction holds the database's single write lock from its first statement, so every read moved into
    ``checks`` is time the other writers need not wait."""

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(method)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            raw = request.headers.get(HEADER, "")
            match = KEY_RE.match(raw.strip())
            if not match:
                return _problem(
                    400,
                    "idempotency_key_missing",
                    _("Send an Idempotency-Key header (a UUID) with every write."),
                )
            key = match.group(1)
            claimed = _claim(request.user, key, request, fingerprint(request))
            if isinstance(claimed, Response):
                return claimed
            try:
                if checks is not None:
                    kwargs["checked"] = checks(view, request, *args, **kwargs)
                with transaction.atomic():
                    response = method(view, request, *args, **kwargs)
                    if response.status_code < 500:
                        _store(claimed, response)
                return response
            except Exception as exc:
                final = view.handle_exception(exc) if _is_final(exc) else None
                if final is None or final.status_code >= 500:
                    IdempotencyRecord.objects.filter(pk=claimed.pk, status_code__isnull=True).delete()
                    raise
                with transaction.atomic():
                    _store(claimed, final)
                final.exception = False  # already handled: DRF must not handle it again
                return final

        return wrapper

    return decorate(method) if method is not None else decorate


def _is_final(exc: Exception) -> bool:
    """A refusal the same request would get again (a domain error, a bad body, 403/404)."""
    from rest_framework.exceptions import APIException

    from antt.core import unavailable
    from antt.core.errors import DomainError

    if unavailable.is_database_unavailable(exc):
        return False
    return isinstance(exc, DomainError | APIException) and not isinstance(exc, _Throttled)


class _Throttled(Exception):
    pass


def purge(*, before: Any = None) -> int:
    """Delete the records older than ``KEEP`` (a task runs it daily); returns how many."""
    cutoff = before or timezone.now() - KEEP
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
