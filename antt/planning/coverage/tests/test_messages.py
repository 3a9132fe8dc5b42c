"""The message table: every kind in both languages, formatting that never raises."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antt.planning.coverage import LANGUAGES, MESSAGES, SEVERITY, FindingKind, Window, audit, explain, render

from .strategies import plans
from .test_examples import need, plan_with

VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
PLACEHOLDERS = {"post", "site", "role", "officer", "assignment", "assignments", "requirement", "start", "end"}
NUMBERS = {
    FindingKind.UNCOVERED: {"shortfall"},
    FindingKind.OVERSTAFFED: {"excess"},
    FindingKind.DOUBLE_BOOKED: {"minutes"},
    FindingKind.REST_TOO_SHORT: {"rest_minutes", "required_minutes"},
    FindingKind.DUTY_OVER_24H: {"peak_minutes", "limit_minutes"},
    FindingKind.TOO_MANY_CONSECUTIVE_DAYS: {"days", "limit_days"},
    FindingKind.SKILL_EXPIRED: {"minutes"},
    FindingKind.CLEARANCE_TOO_LOW: {"clearance", "required_clearance"},
    FindingKind.OFFICER_UNAVAILABLE: {"minutes"},
    FindingKind.OUTSIDE_EVENT: {"minutes"},
    FindingKind.OUTSIDE_SITE_HOURS: {"minutes"},
}


@pytest.mark.parametrize("kind", list(FindingKind))
def test_every_kind_has_a_vietnamese_and_an_english_template_and_a_severity(kind: FindingKind) -> None:
    templates = MESSAGES[kind]
    assert set(templates) == set(LANGUAGES)
    assert VIETNAMESE_LETTERS & set(templates["vi"].lower())
    assert templates["en"].isascii()
    assert kind in SEVERITY
    for template in templates.values():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert names <= PLACEHOLDERS | NUMBERS.get(kind, set())


ids = st.lists(st.integers(0, 10**9), max_size=3).map(tuple)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, database=None)
@given(
    kind=st.sampled_from(list(FindingKind)),
    start=st.integers(-(10**9), 10**9),
    length=st.integers(1, 10**6),
    role=st.one_of(st.none(), st.text(max_size=12)),
    post_ids=ids,
    officer_ids=ids,
    numbers=st.dictionaries(
        st.sampled_from(sorted(set().union(*NUMBERS.values()))), st.integers(), max_size=4
    ),
    zone=st.sampled_from(
        ["Asia/Ho_Chi_Minh", "Europe/Berlin", "UTC", "Pacific/Kiritimati", "America/St_Johns"]
    ),
)
def test_rendering_never_raises(
    kind: FindingKind,
    start: int,
    length: int,
    role: str | None,
    post_ids: tuple[int, ...],
    officer_ids: tuple[int, ...],
    numbers: dict[str, int],
    zone: str,
) -> None:
    text = render(
        kind,
        Window(start, start + length),
        role=role,
        post_ids=post_ids,
        site_ids=(),
        officer_ids=officer_ids,
        assignment_ids=post_ids,
        requirement_ids=(),
        numbers=numbers,
        time_zone=zone,
    )
    assert set(text) == set(LANGUAGES)
    assert all(text[lang] for lang in LANGUAGES)


@settings(max_examples=60, deadline=None, database=None)
@given(plans())
def test_engine_messages_fill_every_placeholder(plan: Any) -> None:
    for finding in audit(plan):
        for lang in LANGUAGES:
            sentence = explain(finding, lang)
            assert "?" not in sentence
            assert "{" not in sentence


def test_explain_names_objects_with_a_labeller() -> None:
    plan = plan_with(requirements=(need(1),))
    (gap,) = audit(plan)
    names = {("post", 1): "Cổng số 1"}
    assert explain(gap, "vi", lambda kind, pk: names[(kind, pk)]) == (
        "Chốt Cổng số 1 thiếu 1 cán bộ vai trò checkpoint từ 08:00 23/11/2026 đến 16:00 23/11/2026."
    )
    assert explain(gap, "en") == gap.message_en


def test_explain_refuses_an_unknown_language() -> None:
    (gap,) = audit(plan_with(requirements=(need(1),)))
    with pytest.raises(ValueError, match="unsupported language"):
        explain(gap, "fr")
