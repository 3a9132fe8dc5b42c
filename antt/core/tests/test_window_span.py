"""A window (a finding's, a duty's) in the console's one date/time style, in the event's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

PAGE = Template('{% load antt_ui tz %}{% timezone "Asia/Ho_Chi_Minh" %}{{ a|span:b }}{% endtimezone %}')


@pytest.mark.parametrize(
    ("lang", "start", "end", "shown"),
    [
        # 01:00-09:00 UTC is 08:00-16:00 in Hồ Chí Minh City, on the 3rd
        (
            "vi",
            datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
            "03/12/2026 08:00\N{EN DASH}16:00",
        ),
        (
            "en",
            datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
            "3 Dec 2026 08:00\N{EN DASH}16:00",
        ),
        # 17:30 UTC on the 2nd is already 00:30 on the 3rd there; across midnight both dates are written
        (
            "vi",
            datetime(2026, 12, 2, 17, 30, tzinfo=UTC),
            datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
            "03/12/2026 00:30\N{EN DASH}08:00",
        ),
        (
            "vi",
            datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 2, 19, 0, tzinfo=UTC),
            "02/12/2026 22:00 \N{EN DASH} 03/12/2026 02:00",
        ),
        (
            "en",
            datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 2, 19, 0, tzinfo=UTC),
            "2 Dec 2026 22:00 \N{EN DASH} 3 Dec 2026 02:00",
        ),
    ],
)
def test_a_window_is_written_in_the_events_zone_in_one_style(
    lang: str, start: datetime, end: datetime, shown: str
) -> None:
    with translation.override(lang):
        assert PAGE.render(Context({"a": start, "b": end})) == shown
