"""Personas shared by every app's tests: each is a member of ``event`` with one role; ``outsider`` belongs
only to ``other_event``. ``as_user(user)`` gives a client signed in with the second factor passed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from antt.accounts.tests.factories import UserFactory
from antt.core.permissions import Clearance, Role
from antt.core.testing import verified_client
from antt.events.tests.factories import EventFactory, MembershipFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: Any, tmp_path_factory: Any
) -> None:
    """On SQLite, a run that serves the app from other threads (browser tests: the live server, uvicorn)
    tests on a database file, as production does, not in memory. Threads share an in-memory test database
    through SQLite's shared cache, whose table locks fail at once ("database table is locked": no busy
    timeout, no WAL) when a server thread reads a table another thread is writing; a file in WAL mode lets
    readers go on and makes writers wait their turn (``OPTIONS`` in settings)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    threaded = any(
        item.get_closest_marker("browser") or "live_server" in getattr(item, "fixturenames", ())
        for item in request.session.items
    )
    if db["ENGINE"].endswith("sqlite3") and threaded:
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _forget_sign_ins() -> Iterator[None]:
    """What a server process keeps of API sign-ins (``core.shortcache``) never outlives a test: the next one
    rolls the database back and makes its event with the same code again."""
    from antt.core.shortcache import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture
def event(db: Any) -> Any:
    return EventFactory(
        code="quang-nam-summit", name_vi="Hội nghị Cấp cao Quảng Nam", name_en="Quảng Nam Summit"
    )


@pytest.fixture
def other_event(db: Any) -> Any:
    return EventFactory(code="nam-dinh-congress", name_vi="Đại hội Nam Định", name_en="Nam Định Congress")


def _member(event: Any, username: str, role: str, clearance: int = Clearance.NONE) -> Any:
    return MembershipFactory(
        event=event, user=UserFactory(username=username), role=role, clearance=clearance
    ).user


@pytest.fixture
def commander(event: Any) -> Any:
    return _member(event, "commander", Role.COMMANDER, Clearance.TOP_SECRET)


@pytest.fixture
def planner(event: Any) -> Any:
    return _member(event, "planner", Role.PLANNER, Clearance.SECRET)


@pytest.fixture
def dispatcher(event: Any) -> Any:
    return _member(event, "dispatcher", Role.DISPATCHER)


@pytest.fixture
def field_officer(event: Any) -> Any:
    return _member(event, "field-officer", Role.FIELD_OFFICER)


@pytest.fixture
def observer(event: Any) -> Any:
    return _member(event, "observer", Role.OBSERVER)


@pytest.fixture
def outsider(other_event: Any) -> Any:
    return _member(other_event, "outsider", Role.COMMANDER, Clearance.TOP_SECRET)


@pytest.fixture
def as_user(db: Any) -> Callable[[Any], Client]:
    return lambda user: verified_client(user)


@pytest.fixture(autouse=True)
def _audit_triggers_present(request: Any, django_db_blocker: Any) -> None:
    """Every database test starts with the append-only triggers in place (see ``audit_flushable``)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        from antt.audit import db as audit_db

        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            audit_db.install_triggers(connection)


@pytest.fixture
def audit_flushable(transactional_db: Any) -> Iterator[None]:
    """Transactional tests end with a flush (DELETE/TRUNCATE), which the append-only triggers refuse:
    drop them just before the flush; the next database test puts them back."""
    from antt.audit import db as audit_db

    yield
    audit_db.drop_triggers(connection)


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """Tests read English unless they ask for Vietnamese (the product's default stays Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(scope="session")
def live_server(django_db_setup: Any, live_server: Any, django_db_blocker: Any) -> Iterator[Any]:
    """pytest-django's live server, stopped before the test database is dropped. Its request threads
    may still hold a kept-alive connection; on PostgreSQL that would block the drop, so end them."""
    yield live_server
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
