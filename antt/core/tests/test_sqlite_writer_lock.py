"""The SQLite backend's queue for the write lock (``antt.core.db.sqlite3``): the threads of one process take
it in turn, are let in when the holder commits, rolls back or closes, and one that waits past the busy
timeout gets SQLite's own error. Tested on a database file of its own, whatever the suite's database is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections

from antt.core.db.sqlite3 import base


def _settings(path: Path, timeout: float) -> dict[str, Any]:
    settings = dict(connections.settings["default"])
    settings.update(
        ENGINE="antt.core.db.sqlite3",
        NAME=str(path),
        OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": timeout},
        CONN_MAX_AGE=0,
        TEST={},
    )
    return settings


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker: Any) -> Iterator[None]:
    """These connections are the test's own (not the suite's database): pytest-django lets them open."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writers.sqlite3"
    wrapper = base.DatabaseWrapper(_settings(path, 5), alias="writers")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT)")
    wrapper.close()
    return path


def _begin(wrapper: Any) -> None:
    """What ``transaction.atomic`` does on entry, on this connection."""
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _write(path: Path, who: str, started: threading.Event, done: threading.Event, errors: list[Any]) -> None:
    wrapper = base.DatabaseWrapper(_settings(path, 5), alias=f"writer-{who}")
    try:
        started.set()
        _begin(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO note (who) VALUES (%s)", [who])
        wrapper.commit()
        wrapper.set_autocommit(True)
        done.set()
    except Exception as exc:  # reported to the test's thread
        errors.append(exc)
    finally:
        wrapper.close()


def _notes(path: Path) -> list[str]:
    wrapper = base.DatabaseWrapper(_settings(path, 5), alias="reader")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT who FROM note ORDER BY id")
            return [row[0] for row in cursor.fetchall()]
    finally:
        wrapper.close()


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_second_writer_waits_for_the_first_and_goes_in_when_it_ends(database: Path, end: str) -> None:
    first = base.DatabaseWrapper(_settings(database, 5), alias="first")
    _begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO note (who) VALUES ('first')")
    started, done = threading.Event(), threading.Event()
    errors: list[Any] = []
    second = threading.Thread(target=_write, args=(database, "second", started, done, errors))
    second.start()
    assert started.wait(5)
    # It queues on the process's lock while the first holds the database's write lock …
    assert not done.wait(0.3)
    assert base._writer_lock(str(database)).locked()
    # … and goes in once the first ends its transaction, however it ends.
    if end == "commit":
        first.commit()
        first.set_autocommit(True)
    elif end == "rollback":
        first.rollback()
        first.set_autocommit(True)
    first.close()
    assert done.wait(10), errors
    second.join(10)
    assert errors == []
    assert _notes(database) == (["first", "second"] if end == "commit" else ["second"])
    assert not base._writer_lock(str(database)).locked()


def test_a_writer_that_waits_past_the_busy_timeout_gets_database_is_locked(database: Path) -> None:
    first = base.DatabaseWrapper(_settings(database, 5), alias="first")
    _begin(first)
    errors: list[Any] = []

    def impatient() -> None:
        wrapper = base.DatabaseWrapper(_settings(database, 0.2), alias="impatient")
        try:
            _begin(wrapper)
        except OperationalError as exc:
            errors.append(exc)
        finally:
            wrapper.close()

    thread = threading.Thread(target=impatient)
    thread.start()
    thread.join(10)
    first.rollback()
    first.close()
    assert [str(e) for e in errors] == ["database is locked"]
    assert not base._writer_lock(str(database)).locked()


def test_a_failed_begin_gives_the_lock_back(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper = base.DatabaseWrapper(_settings(database, 5), alias="failing")

    def refuse(self: Any) -> None:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(base.base.DatabaseWrapper, "_start_transaction_under_autocommit", refuse)
    with pytest.raises(OperationalError):
        _begin(wrapper)
    wrapper.close()
    assert not base._writer_lock(str(database)).locked()


def test_an_in_memory_database_keeps_djangos_behaviour() -> None:
    wrapper = base.DatabaseWrapper(_settings(Path(":memory:"), 5), alias="memory")
    _begin(wrapper)
    assert wrapper._writer is None
    wrapper.rollback()
    wrapper.set_autocommit(True)


def test_other_processes_see_the_turn_taken_while_a_transaction_writes(database: Path) -> None:
    """Between processes the turn is a lock on ``<database>-turn`` (an ``flock`` from another open file stands
    for another process): held from BEGIN to COMMIT, free again after."""
    import fcntl
    import os

    def free() -> bool:
        fd = os.open(str(database) + "-turn", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # closing the file gives a lock it took back
        return True

    first = base.DatabaseWrapper(_settings(database, 5), alias="first")
    _begin(first)
    assert not free()
    first.commit()
    first.set_autocommit(True)
    assert free()
    first.close()
