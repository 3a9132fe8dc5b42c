"""A few seconds' memory, in one process, of rows read on every API request (the token's sign-in).

The field API answers hundreds of writes a second; without this each one reads its token and user, its event
and its membership again. What is kept is forgotten after ``seconds`` (``ANTT_SIGNIN_CACHE_SECONDS``, 5 by
default; 0 keeps nothing): a change made by another process (a revoked token, an ended membership) takes
effect within that. A change saved in this process forgets everything at once (``clear``, called from the
models' signals). The clock is ``time.time`` (tests move it with ``time_machine``).

Values are handed out as they were put: the caller copies what it may change.
"""

from __future__ import annotations

import time
from typing import Any

MISSING: Any = object()
_ALL: list[ShortCache] = []


class ShortCache:
    def __init__(self, seconds: float, *, size: int = 20_000) -> None:
        self.seconds, self.size = seconds, size
        self._items: dict[Any, tuple[float, Any]] = {}
        _ALL.append(self)

    def get(self, key: Any) -> Any:
        """The value kept for ``key``, or ``MISSING`` when none or too old."""
        found = self._items.get(key)
        if found is None:
            return MISSING
        if found[0] <= time.time():
            self._items.pop(key, None)
            return MISSING
        return found[1]

    def put(self, key: Any, value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._items) >= self.size:  # a bound, not an LRU: everything is at most seconds old anyway
            self._items.clear()
        self._items[key] = (time.time() + self.seconds, value)

    def clear(self) -> None:
        self._items.clear()


def clear_all() -> None:
    """Forget everything every short cache keeps (a saved token, user, event or membership; tests)."""
    for cache in _ALL:
        cache.clear()


def forget(**_signal: Any) -> None:
    """``clear_all`` now and once the transaction commits (a request of another thread may have read the old
    row meanwhile); connected to the saves and deletes of what a sign-in keeps."""
    from django.db import transaction

    clear_all()
    transaction.on_commit(clear_all)
