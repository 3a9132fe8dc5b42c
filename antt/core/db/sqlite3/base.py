"""Django's SQLite backend, with the threads of one process taking the write lock in turn.

Every transaction begins ``IMMEDIATE`` (settings): it takes the database's one write lock at ``BEGIN``. Two
threads that want it at once met in SQLite's busy handler, which does not wake a waiter when the lock is
freed: it sleeps and tries again, 1, 2, 5, 10 … 25, 50, 100 ms apart. Under field load (dozens of reports a
second, each holding the lock a few milliseconds) a waiter slept far longer than the lock was held, and the
answers' 99th percentile went to seconds (docs/field.md).

Here the threads of one server process queue on a lock of the process before ``BEGIN IMMEDIATE`` and are
woken when the holder commits or rolls back; between processes, the one thread of each that holds its
process's turn takes a lock on the file ``<database>-turn``, tried every half millisecond, so SQLite's busy
handler is left only for writers that do not take turns (a shell, another program). A thread that waits longer than the connection's busy timeout gets the
error SQLite would give ("database is locked"). In-memory databases (the test runner's) keep Django's
behaviour: their shared cache does not use the busy handler.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Between processes: a lock on the file ``<database>-turn``, tried every POLL seconds (SQLite's busy handler
# sleeps up to 100 ms between tries).
POLL = 0.0005
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


def _take_file_lock(fd: int, deadline: float) -> bool:
    """``flock`` the process's turn file, trying every ``POLL`` seconds until ``deadline``."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None
    _turn_fd: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
            return
        name = str(self.settings_dict["NAME"])
        lock = _writer_lock(name)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        if not lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._writer = lock
        try:
            if self._turn_fd is None:
                self._turn_fd = os.open(name + "-turn", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            if not _take_file_lock(self._turn_fd, deadline):
                raise OperationalError("database is locked")
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        lock, self._writer = self._writer, None
        if lock is not None:
            if self._turn_fd is not None:
                fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
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
            fd, self._turn_fd = self._turn_fd, None
            if fd is not None:
                os.close(fd)
