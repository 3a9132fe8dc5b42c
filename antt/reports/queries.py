"""Reads of reports with access checks: a report is visible only to members whose clearance reaches its
classification; missing and forbidden look the same (``NotFound``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import can, require
from antt.reports.models import Alert, CalendarFeed, Iap, IapVersion, OperationalPeriod, RadioChannel, SitRep


def clearance_of(user: Any, event: Any) -> int:
    membership = event.membership_for(user)
    return int(membership.clearance) if membership and membership.is_active else -1


def may_read(user: Any, event: Any, classification: int) -> bool:
    """``reports.view`` and a clearance at least the report's classification."""
    return can(user, "reports.view", event) and clearance_of(user, event) >= int(classification)


def iaps_for(user: Any, event: Any) -> QuerySet[Iap]:
    require(user, "reports.view", event)
    return (
        Iap.objects.filter(event=event, classification__lte=clearance_of(user, event))
        .select_related("period", "latest_version", "approved_version")
        .defer(
            "latest_version__pdf",
            "latest_version__content",
            "approved_version__pdf",
            "approved_version__content",
        )
        .order_by("-starts_at", "period__starts")
    )


def get_iap_for(user: Any, event: Any, iap_id: Any) -> Iap:
    require(user, "reports.view", event)
    iap = (
        Iap.objects.filter(event=event, pk=id_or_not_found(iap_id)).select_related("event", "period").first()
    )
    if iap is None or not may_read(user, event, iap.classification):
        raise not_found()
    return iap


def versions_of(iap: Iap) -> QuerySet[IapVersion]:
    return (
        IapVersion.objects.filter(iap=iap)
        .select_related("requested_by", "approved_by")
        .defer("pdf", "content")
        .order_by("-number")
    )


def get_version_for(user: Any, iap: Iap, number: Any) -> IapVersion:
    """Version ``number`` of an IAP fetched through ``get_iap_for``. A version not approved is seen only by
    those who prepare or approve IAPs (it is not distributed)."""
    version = (
        IapVersion.objects.filter(iap=iap, number=id_or_not_found(number))
        .select_related("requested_by", "approved_by")
        .first()
    )
    if version is None:
        raise not_found()
    distributed = version.status == IapVersion.Status.APPROVED and version.pdf_final
    if not distributed and not may_prepare(user, iap.event):
        raise not_found()
    return version


def visible_versions(user: Any, iap: Iap) -> list[IapVersion]:
    """The versions of ``iap`` the reader may see: all for those who prepare or approve IAPs, otherwise the
    approved one once its final PDF is ready."""
    prepare = may_prepare(user, iap.event)
    return [
        v for v in versions_of(iap) if prepare or (v.status == IapVersion.Status.APPROVED and v.pdf_final)
    ]


def may_prepare(user: Any, event: Any) -> bool:
    return can(user, "planning.change", event) or can(user, "reports.publish", event)


def previous_built(version: IapVersion) -> IapVersion | None:
    return (
        IapVersion.objects.filter(iap_id=version.iap_id, number__lt=version.number, content__isnull=False)
        .order_by("-number")
        .first()
    )


def periods_of(event: Any) -> QuerySet[OperationalPeriod]:
    return OperationalPeriod.objects.filter(event=event).order_by("starts", "pk")


def get_period_for(user: Any, event: Any, period_id: Any) -> OperationalPeriod:
    require(user, "reports.view", event)
    period = OperationalPeriod.objects.filter(event=event, pk=id_or_not_found(period_id)).first()
    if period is None:
        raise not_found()
    return period


def channels_for(user: Any, event: Any) -> QuerySet[RadioChannel]:
    require(user, "reports.view", event)
    return RadioChannel.objects.filter(event=event).select_related("unit").order_by("function", "name", "pk")


def get_channel_for(user: Any, event: Any, channel_id: Any) -> RadioChannel:
    require(user, "reports.view", event)
    channel = (
        RadioChannel.objects.filter(event=event, pk=id_or_not_found(channel_id))
        .select_related("event")
        .first()
    )
    if channel is None:
        raise not_found()
    return channel


def sitreps_for(user: Any, event: Any) -> QuerySet[SitRep]:
    require(user, "reports.view", event)
    return SitRep.objects.filter(event=event, classification__lte=clearance_of(user, event)).order_by("-day")


def get_sitrep_for(user: Any, event: Any, sitrep_id: Any) -> SitRep:
    require(user, "reports.view", event)
    sitrep = (
        SitRep.objects.filter(event=event, pk=id_or_not_found(sitrep_id))
        .select_related("event", "author", "approved_by")
        .first()
    )
    if sitrep is None or not may_read(user, event, sitrep.classification):
        raise not_found()
    return sitrep


def alerts_for(user: Any, event: Any) -> QuerySet[Alert]:
    require(user, "reports.view", event)
    return (
        Alert.objects.filter(event=event)
        .select_related("author", "approved_by", "references")
        .order_by("-created_at", "-pk")
    )


def get_alert_for(user: Any, event: Any, alert_id: Any) -> Alert:
    require(user, "reports.view", event)
    alert = (
        Alert.objects.filter(event=event, pk=id_or_not_found(alert_id))
        .select_related("event", "references", "site")
        .first()
    )
    if alert is None:
        raise not_found()
    return alert


def published_alerts(event: Any) -> QuerySet[Alert]:
    """What the public feed shows: published alerts only (no sign-in)."""
    return Alert.objects.filter(event=event, status=Alert.Status.PUBLISHED).order_by("-sent", "-pk")


def feeds_of(user: Any, event: Any) -> QuerySet[CalendarFeed]:
    require(user, "event.view", event)
    return CalendarFeed.objects.filter(event=event, user=user, revoked_at__isnull=True).select_related(
        "officer", "unit"
    )


def get_feed_for(user: Any, event: Any, feed_id: Any) -> CalendarFeed:
    require(user, "event.view", event)
    feed = (
        CalendarFeed.objects.filter(event=event, user=user, pk=id_or_not_found(feed_id))
        .select_related("event")
        .first()
    )
    if feed is None:
        raise not_found()
    return feed
