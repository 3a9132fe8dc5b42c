"""Names of the coverage engine's finding kinds and severities, translated (the engine has no gettext)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "uncovered": _("Uncovered"),
    "overstaffed": _("Overstaffed"),
    "double_booked": _("Double booking"),
    "rest_too_short": _("Rest too short"),
    "duty_over_24h": _("Too many hours in 24 h"),
    "too_many_consecutive_days": _("Too many days in a row"),
    "skill_missing": _("Skill missing"),
    "skill_expired": _("Skill expired"),
    "clearance_too_low": _("Clearance too low"),
    "officer_unavailable": _("Officer unavailable"),
    "outside_event": _("Outside the event"),
    "outside_site_hours": _("Outside the site's opening hours"),
    "orphan_assignment": _("Assignment without requirement"),
    "unknown_officer": _("Unknown officer"),
}

SEVERITY_LABELS = {
    "critical": _("Critical"),
    "high": _("High"),
    "medium": _("Medium"),
    "low": _("Low"),
}
