"""The coverage API joins its JSON from each finding's encoded row, kept between plan versions: the bytes are
those of the straightforward answer (a fresh audit of the plan, its findings through ``FindingSerializer``,
the whole answer through DRF's JSON renderer), before and after writes, in both languages, filtered and
paged; the browsable and indented renderings still come from the renderer itself."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from antt.forces import services as forces_services
from antt.forces.tests.factories import OfficerFactory
from antt.planning import (
    assignment_services,
    coverage,
    coverage_audit,
    coverage_input,
    live_coverage,
    services,
)
from antt.planning.serializers import FindingSerializer
from antt.planning.tests.factories import RequirementFactory


@pytest.fixture(autouse=True)
def _fresh_indexes() -> Iterator[None]:
    live_coverage.forget()
    yield
    live_coverage.forget()


def _straightforward(event: Any, lang: str, query: dict[str, Any]) -> bytes:
    """The answer as the plain recipe gives it: audit the plan afresh, label, serialize, filter, render."""
    with translation.override(lang):
        findings = coverage.audit(coverage_input.coverage_plan(event))
        label = coverage_audit.coverage_labels(event, findings)
        rows = [
            {
                "kind": str(f.kind),
                "severity": str(f.severity),
                "starts_at": coverage.datetime_of(f.window.start),
                "ends_at": coverage.datetime_of(f.window.end),
                "role": f.role,
                "objects": f.objects(),
                "numbers": dict(f.numbers),
                "explanation": coverage.explain(f, lang, label),
            }
            for f in findings
        ]
    kind, severity = query.get("kind"), query.get("severity")
    matching = [
        row
        for row in rows
        if (not kind or row["kind"] == kind) and (not severity or row["severity"] == severity)
    ]
    offset = query.get("offset", 0)
    limit = query.get("limit")
    page = matching[offset : offset + limit if limit is not None else None]
    answer = {
        "total": len(rows),
        "matched": len(matching),
        "counts": dict(sorted(Counter(row["kind"] for row in rows).items())),
        "findings": FindingSerializer(page, many=True).data,
    }
    return bytes(JSONRenderer().render(answer))


QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 2},
    {"limit": 1, "offset": 1},
    {"offset": 50},
    {"kind": "uncovered"},
    {"severity": "critical", "limit": 1},
    {"kind": "overstaffed"},
]


def test_the_joined_answer_is_the_straightforward_one_before_and_after_writes(
    as_user: Any, planner: Any, event: Any
) -> None:
    first: Any = RequirementFactory(event=event, headcount=2)
    second: Any = RequirementFactory(
        event=event, post=first.post, skill=first.skill, headcount=1, starts_at=first.ends_at
    )
    third: Any = RequirementFactory(event=event, headcount=3)
    # a name with a line separator: the renderer escapes U+2028 (JSONP-safe); joined rows must too
    services.update_post(actor=planner, post=third.post, name_en="Gate\u2028North", name_vi="Cổng Bắc")
    long: Any = OfficerFactory(event=event, skills=["checkpoint"], full_name="Phan Văn Long")
    hoa: Any = OfficerFactory(event=event, skills=["checkpoint"], full_name="Lê Thị Hoa")
    minh: Any = OfficerFactory(event=event, skills=["checkpoint"], full_name="Trần Minh")
    duty = assignment_services.assign_officer(
        actor=planner,
        post=first.post,
        officer=long,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        skill=first.skill,
        requirement=first,
    )
    client = as_user(planner)

    def check(step: str) -> list[str]:
        kinds = []
        for lang in ("en", "vi"):
            for query in QUERIES:
                response = client.get(
                    f"/api/v1/events/{event.code}/coverage", query, HTTP_ACCEPT_LANGUAGE=lang
                )
                assert response.status_code == 200, (step, response.content)
                assert response["Content-Type"] == "application/json"
                assert response.content == _straightforward(event, lang, query), (step, lang, query)
            kinds = sorted(json.loads(response.content)["counts"])
        return kinds

    assert check("before any write") == ["uncovered"]
    assert "Gate\\u2028North" in client.get(f"/api/v1/events/{event.code}/coverage").content.decode()
    assignment_services.assign_officer(
        actor=planner,
        post=second.post,
        officer=hoa,
        starts_at=second.starts_at,
        ends_at=second.ends_at,
        skill=second.skill,
        requirement=second,
    )
    check("after an assignment")
    # one more officer than the second requirement needs
    assignment_services.assign_officer(
        actor=planner,
        post=second.post,
        officer=minh,
        starts_at=second.starts_at,
        ends_at=second.ends_at,
        skill=second.skill,
        requirement=second,
    )
    assert "overstaffed" in check("after an overstaffing")
    assignment_services.update_assignment(
        actor=planner, assignment=duty, ends_at=first.ends_at - timedelta(hours=1)
    )
    check("after a shortened duty")
    forces_services.update_officer(actor=planner, officer=long, skills=[])
    assert "skill_missing" in check("after a lost skill")
    services.update_post(actor=planner, post=first.post, name_en="Renamed gate")
    check("after a rename")
    assignment_services.unassign(actor=planner, assignment=duty)
    check("after an unassignment")
    held = live_coverage.held(event.pk)
    assert held is not None
    assert live_coverage.stats.catch_ups >= 6  # the writes were caught up from the change log, not rebuilt


def test_browsable_and_indented_answers_are_rendered_as_before(
    as_user: Any, planner: Any, event: Any
) -> None:
    requirement: Any = RequirementFactory(event=event, headcount=2)
    officer: Any = OfficerFactory(event=event, skills=["checkpoint"])
    assignment_services.assign_officer(
        actor=planner,
        post=requirement.post,
        officer=officer,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
        requirement=requirement,
    )
    client = as_user(planner)
    url = f"/api/v1/events/{event.code}/coverage"
    plain = client.get(url)
    indented = client.get(url, HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200
    assert indented.content == json.dumps(json.loads(plain.content), indent=2, ensure_ascii=False).encode()
    browsable = client.get(url, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert browsable["Content-Type"].startswith("text/html")
    assert "shortfall" in browsable.content.decode()
