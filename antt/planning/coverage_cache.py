"""The coverage findings of an event, cached per plan version.

Every write that changes what the coverage audit reads (planning, forces, rest rules, rostering apply,
interop import, event changes) goes through a service that appends an entry to the event's audit chain in
the same transaction. The head of that chain (its last ``seq`` and ``hash``, one indexed query) is
therefore a *plan version*: it changes with every audited write and never goes back. The findings, and
the names the board and the API label them with, are cached under ``coverage:<event id>:<version>``:

* in Django's cache (Redis in production through ``ANTT_REDIS_URL``, local memory by default), shared by
  every worker; and in a small per-process memo in front of it, so that a warm request does not even
  unpickle them;
* a miss recomputes; a short lock in the cache keeps many viewers from computing the same version at once
  (a waiter that gives up computes too, which is only duplicated work);
* the version is read again after computing and the result stored only if it did not move meanwhile, so
  an entry never holds findings of another version; a request always reads the current version first, so
  it never gets the findings of an older one.

Nothing is cached for an event without audit entries (no version to key on: fixtures and factories), nor
inside a transaction a service holds (its own uncommitted writes would not be in the version).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.cache import cache as _cache
from django.db import connection

from antt.audit.models import AuditEntry
from antt.planning import coverage

if TYPE_CHECKING:
    from antt.events.models import Event

logger = logging.getLogger(__name__)


class _SharedCache:
    """Django's cache, where a failure (Redis down) is logged and taken as a miss: the findings are then
    computed by each request, still correct, only slower."""

    def _try(self, operation: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(_cache, operation)(*args, **kwargs)
        except Exception as exc:  # any backend's connection error: redis, memcached, OS
            logger.warning("coverage cache %s failed: %s", operation, exc.__class__.__name__)
            return default

    def get(self, key: str) -> Any:
        return self._try("get", None, key)

    def add(self, key: str, value: Any, timeout: int) -> bool | None:
        """True: added; False: already there; None: the cache did not answer."""
        return self._try("add", None, key, value, timeout=timeout)

    def set(self, key: str, value: Any, timeout: int) -> None:
        self._try("set", None, key, value, timeout=timeout)

    def delete(self, key: str) -> None:
        self._try("delete", None, key)


cache = _SharedCache()

#: How long an entry lives in the shared cache (a version is replaced by the next write long before).
TIMEOUT = 6 * 3600
#: How long a computing request holds the lock, and how long another waits for its result.
LOCK_SECONDS = 60
LOCK_WAIT = 10.0
_POLL = 0.05
#: Plan versions kept ready in each process (one per event being watched, plus the one before).
MEMO_SIZE = 4


@dataclass
class Snapshot:
    """What the board and the API need about one version of an event's plan.

    ``names`` maps ``(object type, id)`` to its label in Vietnamese and English for every post, site and
    officer a finding's sentence names; ``sites`` is every site of the event as ``(id, name_vi, name_en)``
    in code order (the board's filter and groups).
    """

    event_id: int
    version: str  # "" when not cached (no plan version)
    findings: list[coverage.Finding]
    names: dict[tuple[str, int], tuple[str, str]] | None = None
    sites: list[tuple[int, str, str]] | None = None
    # per-process, never pickled: results derived from the findings once per language
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["derived"] = {}
        return state

    def label(self, english: bool) -> coverage.messages.Labeller:
        names, index = self.names or {}, 1 if english else 0

        def label(object_type: str, object_id: int) -> str:
            found = names.get((object_type, object_id))
            return found[index] if found is not None else f"#{object_id}"

        return label

    def once(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` computed once per process for this version (idempotent, so a race only repeats it)."""
        found = self.derived.get(key)
        if found is None:
            found = self.derived[key] = build()
        return found


def plan_version(event: Event) -> str | None:
    """The head of the event's audit chain as ``"<seq>.<hash>"`` (None when the chain is empty)."""
    head = AuditEntry.objects.filter(chain=event.pk).order_by("-seq").values_list("seq", "hash").first()
    return f"{head[0]}.{head[1]}" if head is not None else None


def cache_key(event_id: int, version: str) -> str:
    return f"coverage:{event_id}:{version}"


def _in_service_transaction() -> bool:
    """True inside an atomic block other than the ones a test case wraps every test in."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


_memo: OrderedDict[str, Snapshot] = OrderedDict()
_memo_lock = threading.Lock()


def _remember(key: str, snapshot: Snapshot) -> None:
    with _memo_lock:
        _memo[key] = snapshot
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def _recall(key: str) -> Snapshot | None:
    with _memo_lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
        return found


def forget_process_memo() -> None:
    """Drop this process's memo (tests; the shared cache is untouched)."""
    with _memo_lock:
        _memo.clear()


def snapshot(event: Event, compute: Callable[[Any, str], Snapshot]) -> Snapshot:
    """The snapshot of the event's current plan version: from this process, the shared cache, or
    ``compute(event, version)`` (stored only if the version has not moved while computing)."""
    version = plan_version(event) if not _in_service_transaction() else None
    if version is None:
        return compute(event, "")
    key = cache_key(event.pk, version)
    found = _recall(key) or cache.get(key)
    if found is None:
        lock = f"{key}:lock"
        locked = cache.add(lock, 1, timeout=LOCK_SECONDS)
        if locked is False:  # another request computes this version: wait for it a little
            deadline = time.monotonic() + LOCK_WAIT
            while found is None and time.monotonic() < deadline and cache.get(lock) is not None:
                time.sleep(_POLL)
                found = cache.get(key)
            found = found or cache.get(key)
        if found is None:
            try:
                found = compute(event, version)
                if plan_version(event) == version:
                    cache.set(key, found, timeout=TIMEOUT)
                    _drop_previous(event.pk, version)
                else:  # a write committed meanwhile: these findings may mix two versions
                    return found
            finally:
                if locked:
                    cache.delete(lock)
    _remember(key, found)
    return found


def _drop_previous(event_id: int, version: str) -> None:
    """Free the entry of the version this one replaces (it can never be asked for again)."""
    pointer = f"coverage:{event_id}:current"
    previous = cache.get(pointer)
    cache.set(pointer, version, timeout=TIMEOUT)
    if previous and previous != version:
        cache.delete(cache_key(event_id, previous))
