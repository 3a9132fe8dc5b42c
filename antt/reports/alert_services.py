"""Writes of public alerts (CAP 1.2): author → approve (four eyes) → publish; update and cancel.

- authoring: ``planning.change`` (a planner or commander); approving and publishing: ``reports.publish``;
- four eyes: the author may not approve their own alert;
- publishing builds the CAP XML and refuses it unless it is valid against the OASIS schema and the rules
  the schema does not check; only a published alert reaches the public feed;
- an update or a cancel is a new alert that references a published one, through the same steps.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import require
from antt.planning.models import Site
from antt.reports import cap
from antt.reports.models import Alert

TEXT_FIELDS = (
    "event_vi",
    "event_en",
    "headline_vi",
    "headline_en",
    "description_vi",
    "description_en",
    "instruction_vi",
    "instruction_en",
    "area_vi",
    "area_en",
)
REQUIRED = (
    "event_vi",
    "event_en",
    "headline_vi",
    "headline_en",
    "description_vi",
    "description_en",
    "area_vi",
    "area_en",
)
CHOICES = {
    "category": Alert.Category,
    "urgency": Alert.Urgency,
    "severity": Alert.Severity,
    "certainty": Alert.Certainty,
}


def sender_of(event: Any) -> str:
    return f"antt-{event.code}@antt.local"


def reference_of(alert: Alert) -> str:
    assert alert.sent is not None
    return (
        f"{sender_of(alert.event)},{alert.identifier},{cap.cap_time(alert.sent.astimezone(alert.event.tz))}"
    )


def _values(event: Any, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(data.get(name) or "").strip() for name in TEXT_FIELDS}
    for name in REQUIRED:
        if not values[name]:
            raise Invalid(
                _("Fill in every text in Vietnamese and in English (headline, what, description, area)."),
                field=name,
            )
    for name, limit in (
        ("event_vi", 200),
        ("event_en", 200),
        ("headline_vi", 200),
        ("headline_en", 200),
        ("area_vi", 200),
        ("area_en", 200),
    ):
        if len(values[name]) > limit:
            raise Invalid(_("This text may have at most 200 characters."), field=name)
    for name, choices in CHOICES.items():
        value = str(data.get(name) or choices.values[0])
        if value not in choices.values:
            raise Invalid(_("Choose a value from the list."), field=name)
        values[name] = value
    values["exercise"] = bool(data.get("exercise"))
    site = data.get("site")
    if site not in (None, ""):
        site_id = getattr(site, "pk", site)
        site = Site.objects.filter(event=event, pk=site_id).first() if str(site_id).isdigit() else None
        if site is None:
            raise Invalid(_("Unknown site in this event."), field="site")
    values["site"] = site or None
    area = data.get("area") or {}
    if not area and values["site"] is not None:
        area = cap.site_area(values["site"].geometry)
    problems = cap.area_problems(area)
    if problems:
        raise Invalid(" ".join(str(p) for p in problems), field="area")
    values["area"] = {k: area[k] for k in ("polygon", "circle") if area.get(k)}
    for name in ("onset", "expires"):
        moment = data.get(name)
        if moment is not None and timezone.is_naive(moment):
            raise Invalid(_("Give the time with its time zone."), field=name)
        values[name] = moment
    if values["onset"] and values["expires"] and values["expires"] <= values["onset"]:
        raise Invalid(_("The alert must expire after its onset."), field="expires")
    return values


@transaction.atomic
def create_alert(
    *,
    actor: Any,
    event: Any,
    msg_type: str = Alert.MsgType.ALERT,
    references: Alert | None = None,
    **data: Any,
) -> Alert:
    """A draft alert; an update or a cancel names the published alert it replaces."""
    require(actor, "planning.change", event)
    if msg_type not in Alert.MsgType.values:
        raise Invalid(_("Choose alert, update or cancel."), field="msg_type")
    if msg_type == Alert.MsgType.ALERT and references is not None:
        raise Invalid(_("A new alert replaces nothing; choose update or cancel."), field="references")
    if msg_type != Alert.MsgType.ALERT:
        if references is None or references.event_id != event.pk:
            raise Invalid(_("Choose the published alert this one updates or cancels."), field="references")
        if references.status != Alert.Status.PUBLISHED:
            raise Invalid(_("Only a published alert can be updated or cancelled."), field="references")
    values = _values(event, data)
    alert = Alert(
        event=event,
        identifier=f"ANTT-{event.code}-{secrets.token_hex(6)}",
        msg_type=msg_type,
        references=references,
        author=actor,
        **values,
    )
    alert.save()
    audit.record(
        actor=actor,
        action="reports.create_alert",
        target=alert,
        event=event,
        changes={
            "msg_type": [None, msg_type],
            "headline_vi": [None, alert.headline_vi],
            "references": [None, references.identifier if references else None],
        },
    )
    return alert


def _locked(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("event", "references__event")
        .get(pk=alert.pk)
    )


@transaction.atomic
def approve_alert(*, actor: Any, alert: Alert) -> Alert:
    require(actor, "reports.publish", alert.event)
    alert = _locked(alert)
    if alert.status != Alert.Status.DRAFT:
        raise Conflict(_("Only a draft alert can be approved."))
    if alert.author_id == actor.pk:
        raise NotAllowed(_("Four eyes: you wrote this alert, so another commander must approve it."))
    alert.status, alert.approved_by, alert.approved_at = Alert.Status.APPROVED, actor, timezone.now()
    alert.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.approve_alert",
        target=alert,
        event=alert.event,
        changes={"status": ["draft", "approved"]},
    )
    return alert


@transaction.atomic
def publish_alert(*, actor: Any, alert: Alert) -> Alert:
    """Build the CAP XML, check it (schema and rules), and publish it to the public feed."""
    require(actor, "reports.publish", alert.event)
    alert = _locked(alert)
    if alert.status == Alert.Status.PUBLISHED:
        raise Conflict(_("This alert is already published."))
    if alert.status != Alert.Status.APPROVED:
        raise Conflict(
            _("This alert is not approved yet: another commander must approve it before it is published.")
        )
    sent = timezone.now().astimezone(alert.event.tz).replace(microsecond=0)
    references = reference_of(alert.references) if alert.references else ""
    xml = cap.build(alert, sender=sender_of(alert.event), sent=sent, references=references)
    problems = cap.schema_errors(xml) + cap.rule_errors(xml)
    if problems:
        raise Invalid(
            _("The alert is not a valid CAP 1.2 message: %(problems)s") % {"problems": "; ".join(problems)}
        )
    alert.status, alert.sent, alert.published_by, alert.xml = (
        Alert.Status.PUBLISHED,
        sent,
        actor,
        xml.decode("utf-8"),
    )
    alert.save(update_fields=["status", "sent", "published_by", "xml", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.publish_alert",
        target=alert,
        event=alert.event,
        changes={"status": ["approved", "published"], "sent": [None, cap.cap_time(sent)]},
    )
    return alert
