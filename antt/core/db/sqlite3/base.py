"""Django's SQLite backend, with the threads of one process taking the write lock in turn.

Every transaction begins ``IMMEDIATE`` (settings): it takes the database's one write lock at ``BEGIN``. Two
threads that want it at once met in SQLite's busy handler, which does not wake a waiter when the lock is
freed: it sleeps and tries again, 1, 2, 5, 10 … 25, 50, 100 ms apart. Under field load (dozens of reports a
second, each holding the lock a few milliseconds) a waiter slept far longer than the lock was held, and the
answers' 99th percentile went to seconds (docs/field.md).

Here the threads of one server process queue on a lock of the process before ``BEGIN IMMEDIATE`` and are
woken when the holder commits or rolls back; SQLite's busy handler then only arbitrates between processes
(one thread of each at a time). A thread that waits longer than the connection's busy timeout gets the
error SQLite would give ("database is locked"). In-memory databases (the test runner's) keep Django's
behaviour: their shared cache does not use the busy handler.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_GUARD = threading.Lock()
_WRITERS: dict[str, threading.Lock] = {}


def _writer_lock(name: str) -> threading.Lock:
    with _GUARD:
        lock = _WRITERS.get(name)
        if lock is None:
            lock = _WRITERS[name] = threading.Lock()
        return lock


def _forget_locks() -> None:
    """In a forked child: locks another thread of the parent held are not held by anyone here."""
    global _GUARD
    _GUARD = threading.Lock()
    _WRITERS.clear()


os.register_at_fork(after_in_child=_forget_locks)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
            return
        lock = _writer_lock(str(self.settings_dict["NAME"]))
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._writer = lock
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        lock, self._writer = self._writer, None
        if lock is not None:
            lock.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._release_writer()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._release_writer()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._release_writer()
