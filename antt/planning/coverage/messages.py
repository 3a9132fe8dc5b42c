"""The message table: one Vietnamese and one English template per finding kind.

The coverage package is pure Python, so it cannot use Django's gettext; the table below is the
single source of the sentences. :func:`explain` renders a finding in either language.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .findings import Finding, FindingKind
from .model import Window

LANGUAGES: tuple[str, ...] = ("vi", "en")

#: ``MESSAGES[kind][lang]``: a ``str.format`` template. Placeholders: ``post``, ``site``, ``role``,
#: ``officer``, ``assignment``, ``assignments``, ``requirement``, ``start``, ``end`` and the
#: finding's numbers by name.
MESSAGES: dict[FindingKind, dict[str, str]] = {
    FindingKind.UNCOVERED: {
        "vi": "Chốt {post} thiếu {shortfall} cán bộ vai trò {role} từ {start} đến {end}.",
        "en": "Post {post} is short of {shortfall} officer(s) with role {role} from {start} to {end}.",
    },
    FindingKind.OVERSTAFFED: {
        "vi": "Chốt {post} thừa {excess} cán bộ vai trò {role} so với yêu cầu từ {start} đến {end}.",
        "en": "Post {post} has {excess} officer(s) with role {role} more than required "
        "from {start} to {end}.",
    },
    FindingKind.DOUBLE_BOOKED: {
        "vi": "Cán bộ {officer} bị phân công ở hai nơi cùng lúc (phân công {assignments}) "
        "từ {start} đến {end}.",
        "en": "Officer {officer} is assigned to two places at once (assignments {assignments}) "
        "from {start} to {end}.",
    },
    FindingKind.REST_TOO_SHORT: {
        "vi": "Cán bộ {officer} chỉ được nghỉ {rest_minutes} phút từ {start} đến {end}, "
        "ít hơn mức tối thiểu {required_minutes} phút.",
        "en": "Officer {officer} rests only {rest_minutes} minutes from {start} to {end}, "
        "less than the minimum of {required_minutes} minutes.",
    },
    FindingKind.DUTY_OVER_24H: {
        "vi": "Cán bộ {officer} làm nhiệm vụ tới {peak_minutes} phút trong 24 giờ "
        "(trong khoảng {start} đến {end}), "
        "vượt mức tối đa {limit_minutes} phút.",
        "en": "Officer {officer} is on duty up to {peak_minutes} minutes in 24 hours "
        "(between {start} and {end}), "
        "more than the maximum of {limit_minutes} minutes.",
    },
    FindingKind.TOO_MANY_CONSECUTIVE_DAYS: {
        "vi": "Cán bộ {officer} làm nhiệm vụ {days} ngày liên tục từ {start} đến {end}, "
        "vượt mức tối đa {limit_days} ngày.",
        "en": "Officer {officer} is on duty {days} days in a row from {start} to {end}, "
        "more than the maximum of {limit_days} days.",
    },
    FindingKind.SKILL_MISSING: {
        "vi": "Cán bộ {officer} không có kỹ năng {role} cho phân công {assignment} tại chốt {post} "
        "từ {start} đến {end}.",
        "en": "Officer {officer} lacks the skill {role} for assignment {assignment} at post {post} "
        "from {start} to {end}.",
    },
    FindingKind.SKILL_EXPIRED: {
        "vi": "Kỹ năng {role} của cán bộ {officer} đã hết hạn trong phân công {assignment} tại chốt {post} "
        "từ {start} đến {end}.",
        "en": "The {role} skill of officer {officer} has expired during assignment {assignment} "
        "at post {post} "
        "from {start} to {end}.",
    },
    FindingKind.CLEARANCE_TOO_LOW: {
        "vi": "Cán bộ {officer} có cấp độ mật {clearance}, thấp hơn cấp {required_clearance} mà yêu cầu "
        "{requirement} đòi hỏi (phân công {assignment}, từ {start} đến {end}).",
        "en": "Officer {officer} has clearance {clearance}, below the level {required_clearance} that "
        "requirement {requirement} needs (assignment {assignment}, from {start} to {end}).",
    },
    FindingKind.OFFICER_UNAVAILABLE: {
        "vi": "Cán bộ {officer} không sẵn sàng từ {start} đến {end} nhưng có phân công {assignment} "
        "tại chốt {post}.",
        "en": "Officer {officer} is not available from {start} to {end} but has assignment {assignment} "
        "at post {post}.",
    },
    FindingKind.OUTSIDE_EVENT: {
        "vi": "Phân công {assignment} của cán bộ {officer} nằm ngoài thời gian sự kiện từ {start} đến {end}.",
        "en": "Assignment {assignment} of officer {officer} falls outside the event window "
        "from {start} to {end}.",
    },
    FindingKind.OUTSIDE_SITE_HOURS: {
        "vi": "Phân công {assignment} của cán bộ {officer} tại địa điểm {site} nằm ngoài giờ mở cửa "
        "từ {start} đến {end}.",
        "en": "Assignment {assignment} of officer {officer} at site {site} falls outside its opening hours "
        "from {start} to {end}.",
    },
    FindingKind.ORPHAN_ASSIGNMENT: {
        "vi": "Phân công {assignment} của cán bộ {officer} gắn với yêu cầu {requirement} không còn tồn tại "
        "(từ {start} đến {end}).",
        "en": "Assignment {assignment} of officer {officer} is linked to requirement {requirement}, "
        "which no longer exists (from {start} to {end}).",
    },
    FindingKind.UNKNOWN_OFFICER: {
        "vi": "Phân công {assignment} tại chốt {post} thuộc về cán bộ {officer} không có trong danh sách "
        "lực lượng (từ {start} đến {end}).",
        "en": "Assignment {assignment} at post {post} belongs to officer {officer}, who is not in the roster "
        "(from {start} to {end}).",
    },
}

#: The placeholders each kind's templates use (so only those objects get labelled).
_USED: dict[FindingKind, frozenset[str]] = {
    kind: frozenset(
        name
        for template in templates.values()
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    )
    for kind, templates in MESSAGES.items()
}


def placeholders(kind: FindingKind) -> frozenset[str]:
    """The placeholders the sentences of ``kind`` use, e.g. ``{"post", "role", "start", ...}`` (so that a
    caller labels only the objects a sentence names)."""
    return _USED[kind]


# The console's one date/time style per language (antt/formats): vi 03/12/2026 08:00, en 3 Dec 2026 08:00 — the
# month's English name written here, not by strftime's %b (which follows the process's C locale).
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: ``label(object_type, id) -> str``; object types: post, site, officer, assignment, requirement.
Labeller = Callable[[str, Any], str]  # (object type, id) -> label; ("role", skill code) -> the skill's name


def default_label(object_type: str, object_id: int) -> str:
    """Label an object by its id, e.g. ``#12``."""
    return f"#{object_id}"


class _SafeParams(dict[str, object]):
    """A format mapping that shows ``?`` for a placeholder the finding cannot fill."""

    def __missing__(self, key: str) -> str:
        return "?"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65_536)
def _stamps(minute: int, time_zone: str) -> tuple[str, ...]:
    """The local time of ``minute`` written in each language, in ``LANGUAGES`` order."""
    moment = (_EPOCH + timedelta(minutes=minute)).astimezone(_zone(time_zone))
    written = {
        "vi": moment.strftime("%d/%m/%Y %H:%M"),
        "en": f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year} {moment:%H:%M}",
    }
    return tuple(written[lang] for lang in LANGUAGES)


def _labels(object_type: str, ids: Iterable[int], label: Labeller) -> str:
    return ", ".join(label(object_type, object_id) for object_id in ids) or "?"


def _role(role: str | None, label: Labeller) -> str:
    """The role (a skill code) by its name when the labeller knows it; the code itself otherwise."""
    if role is None:
        return "?"
    if label is default_label:
        return role
    try:
        named = label("role", role)
    except LookupError:  # a labeller that knows only posts, sites and officers
        return role
    return role if named == f"#{role}" else named


def render(
    kind: FindingKind,
    window: Window,
    *,
    role: str | None,
    post_ids: tuple[int, ...],
    site_ids: tuple[int, ...],
    officer_ids: tuple[int, ...],
    assignment_ids: tuple[int, ...],
    requirement_ids: tuple[int, ...],
    numbers: Mapping[str, int],
    time_zone: str,
    label: Labeller = default_label,
) -> dict[str, str]:
    """Render the sentences of a finding in every language: ``{"vi": ..., "en": ...}``."""
    used = _USED[kind]
    params = _SafeParams(numbers)
    params["role"] = _role(role, label)
    for object_type, ids in (
        ("post", post_ids),
        ("site", site_ids),
        ("officer", officer_ids),
        ("assignment", assignment_ids),
        ("requirement", requirement_ids),
    ):
        if object_type in used:
            params[object_type] = _labels(object_type, ids, label)
    if "assignments" in used:
        params["assignments"] = _labels("assignment", assignment_ids, label)
    starts_at = _stamps(window.start, time_zone)
    ends_at = _stamps(window.end, time_zone)
    out: dict[str, str] = {}
    templates = MESSAGES[kind]
    for index, lang in enumerate(LANGUAGES):
        params["start"] = starts_at[index]
        params["end"] = ends_at[index]
        out[lang] = templates[lang].format_map(params)
    return out


def explain(finding: Finding, lang: str, label: Labeller | None = None) -> str:
    """Explain ``finding`` in ``lang`` (``"vi"`` or ``"en"``).

    With ``label`` the caller names the objects (``label("post", 12) -> "Cổng số 1"``); without it,
    the sentence stored on the finding is returned.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"coverage: unsupported language {lang!r}; use one of {LANGUAGES}")
    if label is None:
        return finding.message_vi if lang == "vi" else finding.message_en
    return render(
        finding.kind,
        finding.window,
        role=finding.role,
        post_ids=finding.post_ids,
        site_ids=finding.site_ids,
        officer_ids=finding.officer_ids,
        assignment_ids=finding.assignment_ids,
        requirement_ids=finding.requirement_ids,
        numbers=dict(finding.numbers),
        time_zone=finding.time_zone,
        label=label,
    )[lang]
