"""The planning figures of the event dashboard: coverage, gaps and conflicts, the next programme items."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from antt.core.permissions import can
from antt.events.dashboard import Panel, Tile
from antt.planning import coverage, coverage_audit, queries
from antt.planning.models import ProgrammeItem, Requirement

NEXT_ITEMS = 5


def percent(part: int, whole: int) -> str:
    """A whole percentage in the current language's style (``87 %`` vi, ``87%`` en)."""
    value = round(100 * part / whole) if whole else 100
    return _("%(n)s%%") % {"n": formats.number_format(value)}


def provide(user: Any, event: Any) -> list[Tile | Panel]:
    out: list[Tile | Panel] = []
    code = event.code
    if can(user, "coverage.view", event):
        findings = coverage_audit.coverage_for(event)
        short = queries.shortfalls(findings)
        total = Requirement.objects.filter(event=event).count()
        gaps = sum(1 for f in findings if f.kind == coverage.FindingKind.UNCOVERED)
        conflicts = len(findings) - gaps
        board = reverse("planning:gap-board", kwargs={"code": code})
        out.append(
            Tile(
                10,
                _("Requirements fully staffed"),
                percent(total - len(short), total),
                board,
                _("Open the gap board"),
                detail=_("%(covered)s of %(total)s requirements")
                % {"covered": total - len(short), "total": total},
                tone="good" if not short else "bad",
            )
        )
        out.append(
            Tile(
                20,
                _("Open gaps"),
                formats.number_format(gaps),
                f"{board}?severity=critical",
                _("Fill the gaps"),
                detail=ngettext("%(n)s post short of officers", "%(n)s posts short of officers", len(short))
                % {"n": len(short)},
                tone="bad" if gaps else "good",
            )
        )
        out.append(
            Tile(
                30,
                _("Conflicts"),
                formats.number_format(conflicts),
                f"{board}?severity=high" if conflicts else board,
                _("Resolve the conflicts"),
                detail=_("double bookings, rest, skills, clearance"),
                tone="warn" if conflicts else "good",
            )
        )
    if can(user, "planning.view", event):
        now = timezone.now()
        tz = event.tz
        days = (event.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
        if days > 0:
            value, detail = formats.number_format(days), ngettext("day to go", "days to go", days)
        elif event.ends_at > now:
            value, detail = _("Under way"), _("the event has started")
        else:
            value, detail = _("Over"), _("the event has ended")
        out.append(
            Tile(
                5,
                _("Days to the event"),
                value,
                reverse("planning:programme-timeline", kwargs={"code": code}),
                _("Programme timeline"),
                detail=detail,
            )
        )
        items = list(
            ProgrammeItem.objects.filter(event=event, ends_at__gt=now).order_by("starts_at", "pk")[
                :NEXT_ITEMS
            ]
        )
        timeline = reverse("planning:programme-timeline", kwargs={"code": code})
        rows = [
            (
                item.name,
                f"{timeline}?day={item.starts_at.astimezone(tz).date().isoformat()}",
                formats.date_format(item.starts_at.astimezone(tz), "SHORT_DATETIME_FORMAT"),
            )
            for item in items
        ]
        out.append(
            Panel(
                10,
                _("Next programme items"),
                rows,
                empty=_("No programme item ahead."),
                url=timeline,
                link=_("Programme timeline"),
            )
        )
    return out
