"""Timeline geometry without a database: days in the event's time zone (DST included), bars clipped to a
day, overlapping bars in lanes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from antt.planning import timelines

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")


def _bar(x: int, w: int) -> timelines.Bar:
    moment = datetime(2026, 12, 2, tzinfo=UTC)
    return timelines.Bar(
        label="b", detail="", kind="session", starts_at=moment, ends_at=moment, x=x, w=w,
        cut_before=False, cut_after=False,
    )  # fmt: skip


def test_day_bounds_are_local_midnights_in_utc() -> None:
    start, end = timelines.day_bounds(date(2026, 12, 2), HCM)
    assert start == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


def test_a_dst_day_is_23_hours_and_noon_sits_past_the_middle() -> None:
    start, end = timelines.day_bounds(date(2026, 3, 29), BERLIN)
    assert end - start == timedelta(hours=23)
    noon = datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN)
    x, w, before, after = timelines.place(noon, noon + timedelta(hours=1), start, end) or (0, 0, 0, 0)
    # 11 real hours after midnight (02:00 was skipped) of 23: 11/23 of 288 steps
    assert x == round(11 * 288 / 23)
    assert w == round(12 * 288 / 23) - x
    assert (before, after) == (False, False)


def test_a_window_across_midnight_is_cut_on_both_days() -> None:
    first = timelines.day_bounds(date(2026, 12, 2), HCM)
    second = timelines.day_bounds(date(2026, 12, 3), HCM)
    starts = datetime(2026, 12, 2, 22, 0, tzinfo=HCM)
    ends = datetime(2026, 12, 3, 2, 0, tzinfo=HCM)
    assert timelines.place(starts, ends, *first) == (264, 24, False, True)
    assert timelines.place(starts, ends, *second) == (0, 24, True, False)
    assert timelines.place(starts, ends, *timelines.day_bounds(date(2026, 12, 4), HCM)) is None


def test_a_short_window_is_at_least_one_step_wide() -> None:
    start, end = timelines.day_bounds(date(2026, 12, 2), HCM)
    moment = datetime(2026, 12, 2, 23, 59, tzinfo=HCM)
    assert timelines.place(moment, moment + timedelta(minutes=1), start, end) == (287, 1, False, False)


def test_overlapping_bars_go_into_separate_lanes_and_free_lanes_are_reused() -> None:
    bars = [_bar(0, 10), _bar(5, 10), _bar(10, 5), _bar(20, 2)]
    assert timelines.stack(bars) == 2
    assert [b.lane for b in bars] == [0, 1, 0, 0]


def test_lanes_stop_at_the_maximum() -> None:
    bars = [_bar(0, 10) for _ in range(timelines.MAX_LANES + 3)]
    assert timelines.stack(bars) == timelines.MAX_LANES
    assert max(b.lane for b in bars) == timelines.MAX_LANES - 1


def test_hour_ticks_every_three_hours() -> None:
    ticks = timelines.ticks(date(2026, 12, 2), HCM)
    assert [(t.x, t.label) for t in ticks[:3]] == [(0, "00:00"), (36, "03:00"), (72, "06:00")]
    assert len(ticks) == 8
