"""Alert pages (author, approve, publish, update, cancel), calendar-feed pages, and the public doors: the
Atom feed of published alerts, a published alert's CAP XML, and an iCal feed behind its secret."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import Invalid, NotAllowed
from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import can, require
from antt.events import queries as event_queries
from antt.events.models import Event
from antt.forces.models import Officer, Unit
from antt.planning.models import Site
from antt.reports import alert_services, duty_calendar, queries
from antt.reports.iap import point_of
from antt.reports.models import Alert
from antt.reports.views import attempt

TEXT_FIELDS = (*alert_services.TEXT_FIELDS, "category", "urgency", "severity", "certainty")


def _area(request: HttpRequest) -> dict[str, Any]:
    """The area drawn on the map (GeoJSON-like JSON in a hidden field) or typed as a circle."""
    raw = request.POST.get("area", "").strip()
    if raw:
        try:
            value = json.loads(raw[:100_000])
        except ValueError as exc:
            raise Invalid(_("The area is not valid JSON."), field="area") from exc
        return value if isinstance(value, dict) else {}
    circle = [request.POST.get(n, "").strip() for n in ("lat", "lon", "radius_km")]
    if all(circle):
        try:
            return {"circle": [float(v) for v in circle]}
        except ValueError as exc:
            raise Invalid(
                _("The circle needs numbers: latitude, longitude, radius in km."), field="area"
            ) from exc
    return {}


def _moment(request: HttpRequest, name: str, event: Any) -> Any:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        raise Invalid(_("Give the time as YYYY-MM-DD HH:MM."), field=name)
    return moment.replace(tzinfo=event.tz) if moment.tzinfo is None else moment


def _centre(event: Any) -> tuple[float, float]:
    """Where the drawing map opens: the mean of the event's site positions (lat, lon)."""
    points = [
        p
        for g in Site.objects.filter(event=event).values_list("geometry", flat=True)[:500]
        if (p := point_of(g))
    ]
    if not points:
        return (16.0, 108.0)
    return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))


@login_required
@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    if request.method == "POST":
        require(request.user, "planning.change", event)
        references = None
        if request.POST.get("references"):
            references = Alert.objects.filter(
                event=event, pk=id_or_not_found(request.POST["references"])
            ).first()

        def create() -> Alert:
            return alert_services.create_alert(
                actor=request.user,
                event=event,
                msg_type=request.POST.get("msg_type", "Alert"),
                references=references,
                area=_area(request),
                site=request.POST.get("site") or None,
                onset=_moment(request, "onset", event),
                expires=_moment(request, "expires", event),
                exercise=bool(request.POST.get("exercise")),
                **{name: request.POST.get(name, "")[:5000] for name in TEXT_FIELDS},
            )

        alert = attempt(
            request, create, _("The alert is saved as a draft; another commander must approve it.")
        )
        if alert is not None:
            return redirect("reports:alert", code=event.code, alert_id=alert.pk)
    context = {
        "event": event,
        "alerts": queries.alerts_for(request.user, event),
        "published": queries.published_alerts(event),
        "sites": Site.objects.filter(event=event).order_by("code").only("pk", "code", "name_vi", "name_en"),
        "choices": [  # (field, its translated name, its choices): the labels read "Mức độ", not "severity"
            (name, getattr(Alert._meta.get_field(name), "verbose_name", name), choices.choices)
            for name, choices in alert_services.CHOICES.items()
        ],
        "msg_types": Alert.MsgType.choices,
        "may_author": can(request.user, "planning.change", event),
        "form": request.POST if request.method == "POST" else {},
        "feed_url": reverse("reports:public-alerts", kwargs={"event_code": event.code}),
        "centre": _centre(event),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "reports/alerts.html", context)


@login_required
@require_GET
def alert_detail(request: HttpRequest, code: str, alert_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    alert = queries.get_alert_for(request.user, event, alert_id)
    context = {
        "event": event,
        "alert": alert,
        "may_approve": can(request.user, "reports.publish", event)
        and alert.status == Alert.Status.DRAFT
        and alert.author_id != request.user.pk,
        "may_publish": can(request.user, "reports.publish", event) and alert.status == Alert.Status.APPROVED,
    }
    return render(request, "reports/alert_detail.html", context)


@login_required
@require_POST
def alert_step(request: HttpRequest, code: str, alert_id: int, step: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "reports.publish", event)
    alert = queries.get_alert_for(request.user, event, alert_id)
    if step == "approve":
        attempt(
            request,
            lambda: alert_services.approve_alert(actor=request.user, alert=alert),
            _("The alert is approved."),
        )
    else:
        attempt(
            request,
            lambda: alert_services.publish_alert(actor=request.user, alert=alert),
            _("The alert is published."),
        )
    return redirect("reports:alert", code=event.code, alert_id=alert.pk)


@login_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest, code: str) -> HttpResponse:
    """My secret calendar addresses: make one for my duties or my unit's; revoke one."""
    event = event_queries.get_event_for(request.user, code, action="event.view")
    secret_url = None
    if request.method == "POST":
        officer = unit = None
        if request.POST.get("unit"):
            unit = Unit.objects.filter(event=event, pk=id_or_not_found(request.POST["unit"])).first()
            if unit is None:
                raise not_found()
            if not duty_calendar.may_feed(request.user, event, unit=unit):
                raise NotAllowed(
                    _("You may subscribe to your own duties, or to your unit's if you command it.")
                )
        else:
            officer = Officer.objects.filter(event=event, user_id=request.user.pk or 0).first()
            if officer is None:
                raise NotAllowed(_("Your account is not linked to an officer of this event."))
        result = attempt(
            request,
            lambda: duty_calendar.create_feed(actor=request.user, event=event, officer=officer, unit=unit),
            _("Your calendar address is ready. Copy it now: it is shown only once."),
        )
        if result is not None:
            secret_url = request.build_absolute_uri(reverse("reports:ical", kwargs={"secret": result[1]}))
    mine = Officer.objects.filter(event=event, user_id=request.user.pk or 0).first()
    context = {
        "event": event,
        "feeds": queries.feeds_of(request.user, event),
        "secret_url": secret_url,
        "officer": mine,
        "units": [
            u
            for u in Unit.objects.filter(event=event).select_related("commander").order_by("code")
            if duty_calendar.may_feed(request.user, event, unit=u)
        ][:200],
    }
    return render(request, "reports/feeds.html", context)


@login_required
@require_POST
def feed_revoke(request: HttpRequest, code: str, feed_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="event.view")
    feed = queries.get_feed_for(request.user, event, feed_id)
    attempt(
        request,
        lambda: duty_calendar.revoke_feed(actor=request.user, feed=feed),
        _("The address is revoked; calendars using it stop updating."),
    )
    return redirect("reports:feeds", code=event.code)


# --- public doors (no sign-in) ----------------------------------------------------------------------------


def _public_event(event_code: str) -> Event:
    event = Event.objects.filter(code=str(event_code)[:40]).first()
    if event is None:
        raise not_found()
    return event


@require_GET
def public_alerts(request: HttpRequest, event_code: str) -> HttpResponse:
    """The Atom feed of an event's published alerts (only published; nothing else about the event)."""
    event = _public_event(event_code)
    feed = Atom1Feed(
        title=f"ANTT · {event.name_vi} / {event.name_en}",
        link=request.build_absolute_uri(),
        description=_("Public alerts"),
        feed_url=request.build_absolute_uri(),
        language="vi",
    )
    for alert in queries.published_alerts(event)[:100]:
        link = request.build_absolute_uri(
            reverse("reports:public-alert", kwargs={"event_code": event.code, "alert_id": alert.pk})
        )
        feed.add_item(
            title=f"{alert.headline_vi} / {alert.headline_en}",
            link=link,
            description=f"{alert.description_vi}\n\n{alert.description_en}",
            unique_id=f"urn:antt:cap:{alert.identifier}",
            pubdate=alert.sent,
            updateddate=alert.sent,
            categories=[alert.category, alert.msg_type],
            enclosures=None,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


@require_GET
def public_alert(request: HttpRequest, event_code: str, alert_id: int) -> HttpResponse:
    event = _public_event(event_code)
    alert = queries.published_alerts(event).filter(pk=id_or_not_found(alert_id)).first()
    if alert is None:
        raise not_found()
    return HttpResponse(alert.xml.encode("utf-8"), content_type="application/cap+xml; charset=utf-8")


@require_GET
def ical(request: HttpRequest, secret: str) -> HttpResponse:
    feed = duty_calendar.feed_for_secret(secret)
    if feed is None:
        raise not_found()
    response = HttpResponse(duty_calendar.ics(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
