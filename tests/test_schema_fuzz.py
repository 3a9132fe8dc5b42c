"""A bounded schemathesis run against the app's own OpenAPI schema, so the schema and the answers cannot drift.

Every operation of ``/api/schema/`` gets a few generated requests, valid ones and a couple the schema forbids
(a fixed seed: the same requests on every run), sent in-process through the WSGI application as a verified commander of a seeded event with a
personal token. Each answer must not be a 5xx, must have a documented status code, a documented content
type, and a body that conforms to the documented schema. Each request runs in a savepoint that is rolled
back, so one generated request cannot change what the next one sees (e.g. revoke the test's own token).
Runs on SQLite and on PostgreSQL (CI runs the suite on both).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 4  # valid requests (positive mode)
INVALID_EXAMPLES_PER_OPERATION = 2  # requests the schema forbids: a 4xx, documented, never a 5xx
SEED = 20_260_101
# Every operation is exercised, whatever the machine's speed (no time budget: what the test checks must not
# depend on how fast it runs). The run takes about a minute on two cores.


@contextlib.contextmanager
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI application, sharing the test's database connection (as the test client does: it
    reconnects the handlers after each of its requests, so no test client may run inside this block)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(event: Any, commander: Any) -> dict[str, Any]:
    """A small plan in ``event`` so that lists have rows and ids can hit real objects."""
    from antt.accounts import services as account_services
    from antt.planning.tests.factories import AssignmentFactory, ProgrammeItemFactory, RequirementFactory

    assignment = AssignmentFactory(event=event, starts_at=event.starts_at + timedelta(hours=2))
    RequirementFactory(event=event, post=assignment.post, skill=assignment.skill)
    ProgrammeItemFactory(event=event)
    _token, key = account_services.create_token(actor=commander, name="schemathesis")
    return {"headers": {"Authorization": f"Bearer {key}"}}


def test_the_api_answers_as_its_schema_says(
    as_user: Any, commander: Any, event: Any, seeded: dict[str, Any]
) -> None:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    raw = as_user(commander).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    raw["servers"] = [{"url": "/"}]
    schema = schemathesis.openapi.from_dict(raw)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    exercised: list[str] = []
    with wsgi_app() as app:
        schema.app = app
        _run(schema, event, seeded["headers"], checks, exercised)
    print(f"schemathesis: {len(exercised)} operations exercised")
    assert len(exercised) >= 40


def _run(
    schema: Any,
    event: Any,
    headers: dict[str, str],
    checks: list[Any],
    exercised: list[str],
) -> None:
    from schemathesis import GenerationMode

    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation raises here
        label = f"{operation.method.upper()} {operation.path}"
        has_code = any(p.name == "code" for p in operation.path_parameters)
        path = {"code": event.code} if has_code else None
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION),
            (GenerationMode.NEGATIVE, INVALID_EXAMPLES_PER_OPERATION),
        ):
            _exercise(operation.as_strategy(mode, path_parameters=path), examples, headers, checks)
        exercised.append(label)


def _exercise(strategy: Any, examples: int, headers: dict[str, str], checks: list[Any]) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    @seed(SEED)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=checks)

    run()
