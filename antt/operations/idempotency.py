"""``Idempotency-Key`` for the field API, after the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field".

- no key (or a malformed one) → 400; the key seen with another body or another URL → 422; the first request
  with that key still in progress → 409; the same key and body again → the first answer, replayed
  (``Idempotent-Replayed: true``).
- The key, the write **and** the stored answer commit in one transaction whose first statement inserts the
  key's record (no read when the key is new): an answer the client saw is always stored with what it answered
  for, and a process killed meanwhile leaves nothing (the retry runs the write). A second request with the
  same key while the first runs waits for it on the record's unique key (PostgreSQL; SQLite has one writer at
  a time) and then gets the first answer replayed. A record left in progress (written by the earlier
  two-transaction scheme) answers 409 until ``LEASE`` runs out; then another request takes it over.
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


class _KeyTaken(Exception):
    """The key is already recorded (or a concurrent request recorded it first)."""


def _existing(user: Any, key: str, request: Request, fp: str) -> IdempotencyRecord | Response | None:
    """The answer for a key already recorded: 422 (another body or URL), the stored answer replayed, 409
    while a claim left by a request in progress holds it — or the record itself when that claim's lease ran
    out (the process that made it died): this request takes it over. None: the record went meanwhile."""
    now = timezone.now()
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
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
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, status_code__isnull=True, created_at__lt=now - LEASE
    ).update(created_at=now)
    if taken:
        record.created_at = now
        return record
    return _in_progress()


def _in_progress() -> Response:
    response = _problem(
        409,
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed; try again shortly."),
    )
    response["Retry-After"] = "1"
    return response


def _new_record(user: Any, key: str, request: Request, fp: str) -> IdempotencyRecord:
    return IdempotencyRecord(
        user=user,
        key=key,
        method=str(request.method),
        path=request.path,
        fingerprint=fp,
        created_at=timezone.now(),
    )


def _insert(record: IdempotencyRecord) -> None:
    """Insert the record (the transaction's first write): a key already recorded raises ``_KeyTaken``. On
    PostgreSQL a concurrent request with the same key waits here until the first one ends."""
    try:
        record.save(force_insert=True)
    except IntegrityError as exc:
        raise _KeyTaken from exc


def _answer(record: IdempotencyRecord, response: Response) -> None:
    record.status_code = response.status_code
    record.body = json.dumps(response.data, cls=DjangoJSONEncoder)
    record.completed_at = timezone.now()


def _store(record: IdempotencyRecord, response: Response) -> None:
    _answer(record, response)
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=record.status_code, body=record.body, completed_at=record.completed_at
    )


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap an APIView's ``post``: record the key, run the write, store its answer — in one transaction."""

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
        key, fp = match.group(1), fingerprint(request)
        taken: IdempotencyRecord | None = None
        for _attempt in range(3):
            try:
                return _run(
                    method, view, request, args, kwargs, taken or _new_record(request.user, key, request, fp)
                )
            except _KeyTaken:
                found = _existing(request.user, key, request, fp)
                if isinstance(found, Response):
                    return found
                taken = found  # a claim whose lease ran out, or None: the record went, insert it again
        return _in_progress()  # the record came and went three times: let the phone retry

    return wrapper


def _run(
    method: Callable[..., Response],
    view: Any,
    request: Request,
    args: Any,
    kwargs: Any,
    record: IdempotencyRecord,
) -> Response:
    """The write and its answer in one transaction whose first statement records the key (a new record), so
    a key is never recorded without its answer: a process killed meanwhile leaves nothing, and the retry
    runs the write. A record taken over (an old claim) is updated instead."""
    taken_over = record.pk is not None
    try:
        with transaction.atomic():
            if not taken_over:
                _insert(record)
            response = method(view, request, *args, **kwargs)
            if response.status_code < 500:
                _store(record, response)
            else:  # not an answer to keep: the phone retries
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response
    except _KeyTaken:
        raise
    except Exception as exc:
        final = view.handle_exception(exc) if _is_final(exc) else None
        if final is None or final.status_code >= 500:
            if taken_over:  # release the old claim: the phone retries
                IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()
            raise
        with transaction.atomic():
            if taken_over:
                _store(record, final)
            else:  # the write's transaction rolled back with the record: record the refusal now
                record.pk = None
                _answer(record, final)
                _insert(record)
        final.exception = False  # already handled: DRF must not handle it again
        return final


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
