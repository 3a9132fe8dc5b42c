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
        "Chốt Cổng số 1 thiếu 1 cán bộ vai trò checkpoint từ 23/11/2026 08:00 đến 23/11/2026 16:00."
    )
    assert explain(gap, "en") == gap.message_en


def test_explain_refuses_an_unknown_language() -> None:
    (gap,) = audit(plan_with(requirements=(need(1),)))
    with pytest.raises(ValueError, match="unsupported language"):
        explain(gap, "fr")


@pytest.mark.parametrize(
    ("time_zone", "vi", "en"),
    [
        # 2026-12-02 17:30 UTC: already the 3rd in Hồ Chí Minh City, still the 2nd in Berlin
        (
            "Asia/Ho_Chi_Minh",
            "từ 03/12/2026 00:30 đến 03/12/2026 08:00",
            "from 3 Dec 2026 00:30 to 3 Dec 2026 08:00",
        ),
        (
            "Europe/Berlin",
            "từ 02/12/2026 18:30 đến 03/12/2026 02:00",
            "from 2 Dec 2026 18:30 to 3 Dec 2026 02:00",
        ),
    ],
)
def test_times_are_written_in_the_events_zone_in_the_consoles_one_style(
    time_zone: str, vi: str, en: str
) -> None:
    """vi 03/12/2026 08:00, en 3 Dec 2026 08:00 (antt/formats): the same style as every page, local to the event."""
    start = 29_937_210  # minutes since 1970-01-01 00:00 UTC: 2026-12-02 17:30 UTC
    text = render(
        FindingKind.UNCOVERED,
        Window(start, start + 450),
        role="checkpoint",
        post_ids=(1,),
        site_ids=(),
        officer_ids=(),
        assignment_ids=(),
        requirement_ids=(),
        numbers={"shortfall": 1},
        time_zone=time_zone,
    )
    assert vi in text["vi"]
    assert en in text["en"]
