"""Building the plan in the browser: sites drawn on the map, posts placed on it, programme items with their
sites and requirement rules (with a preview of the requirements the rules derive), hand-entered
requirements, rest rules, and publishing the roster.

Thin doors: the forms check the shape of input, ``services`` / ``assignment_services`` (the same the API
calls) enforce every rule; a ``DomainError`` lands on its field (or at the top) of the form, and the page
answers 400 with the form, the error summary and the field messages. Every page needs ``planning.change``
(publishing: ``planning.publish``); datetimes are read and shown in the event's time zone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antt.core.errors import DomainError
from antt.core.lookups import parse_id
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.planning import assignment_services, queries, services, timelines
from antt.planning.models import ProgrammeItem, Requirement, RequirementRule, RestRules, Site
from antt.planning.setup_forms import (
    PostForm,
    ProgrammeItemForm,
    PublishForm,
    RequirementForm,
    RestRulesForm,
    RuleForm,
    SiteForm,
)

CHANGE = "planning.change"


def place_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal on the field it names (when the form has it), else at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form | None
) -> HttpResponse:
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _map_context(event: Any) -> dict[str, Any]:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


# --- the set-up page -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def setup(request: HttpRequest, code: str) -> HttpResponse:
    """Everything a planner builds, in the order they build it, each with its "add" and "edit" links."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    context = {
        "event": event,
        "sites": queries.sites_for(request.user, event).order_by("code", "pk"),
        "posts": queries.posts_for(request.user, event).order_by("site__code", "code", "pk"),
        "items": queries.programme_items_for(request.user, event).order_by("starts_at", "pk"),
        "requirements": queries.requirements_for(request.user, event)
        .filter(rule__isnull=True)
        .select_related("post", "skill")
        .order_by("starts_at", "pk"),
        "rest": RestRules.objects.filter(event=event).first(),
        "can_publish": can(request.user, "planning.publish", event),
    }
    with timezone.override(event.tz):
        return render(request, "planning/setup.html", context)


# --- sites ------------------------------------------------------------------------------------------------


def _site_values(data: dict[str, Any]) -> dict[str, Any]:
    names = ("kind", "risk_level", "parent", "address", "geometry")
    return {name: data[name] for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def site_form(request: HttpRequest, code: str, site_id: int | None = None) -> HttpResponse:
    """Add a site (``site_id`` None) or change one; its outline or point drawn on the map."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    site = queries.get_site_for(request.user, event, site_id, action=CHANGE) if site_id is not None else None
    initial = (
        {
            n: getattr(site, n)
            for n in ("code", "name_vi", "name_en", "kind", "risk_level", "parent", "address", "geometry")
        }
        if site
        else None
    )
    form = SiteForm(request.POST or None, event=event, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if site is None:
                site = services.create_site(
                    actor=request.user,
                    event=event,
                    code=data["code"],
                    name_vi=data["name_vi"],
                    name_en=data["name_en"],
                    **_site_values(data),
                )
                messages.success(request, _("Site %(site)s added.") % {"site": site.name})
            else:
                names = {n: data[n] for n in ("code", "name_vi", "name_en")}
                site = services.update_site(actor=request.user, site=site, **names, **_site_values(data))
                messages.success(request, _("Site %(site)s saved.") % {"site": site.name})
            return redirect("planning:site-detail", code=event.code, site_id=site.pk)
        except DomainError as exc:
            place_error(form, exc)
    context = {"event": event, "site": site, "form": form, **_map_context(event)}
    return _render(request, "planning/setup_site.html", context, form)


# --- posts ------------------------------------------------------------------------------------------------

POST_VALUES = ("kind", "orders", "check_in_minutes", "default_skill", "geometry")


@login_required
@require_http_methods(["GET", "POST"])
def post_form(request: HttpRequest, code: str, post_id: int | None = None) -> HttpResponse:
    """Add a post (``?site=`` preselects its site) or change one; placed on the map, with its orders."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    post = queries.get_post_for(request.user, event, post_id, action=CHANGE) if post_id is not None else None
    if post is not None:
        initial: dict[str, Any] = {
            n: getattr(post, n) for n in ("code", "name_vi", "name_en", "site", *POST_VALUES)
        }
    else:
        initial = {"site": Site.objects.filter(event=event, pk=_int(request.GET.get("site"))).first()}
    form = PostForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {n: data[n] for n in POST_VALUES}
        try:
            if post is None:
                post = services.create_post(
                    actor=request.user,
                    event=event,
                    site=data["site"],
                    code=data["code"],
                    name_vi=data["name_vi"],
                    name_en=data["name_en"],
                    **values,
                )
                messages.success(request, _("Post %(post)s added.") % {"post": post.name})
            else:
                names = {n: data[n] for n in ("code", "name_vi", "name_en", "site")}
                post = services.update_post(actor=request.user, post=post, **names, **values)
                messages.success(request, _("Post %(post)s saved.") % {"post": post.name})
            return redirect("planning:site-detail", code=event.code, site_id=post.site_id)
        except DomainError as exc:
            place_error(form, exc)
    context = {"event": event, "post": post, "form": form, **_map_context(event)}
    return _render(request, "planning/setup_post.html", context, form)


def _int(value: Any) -> int:
    return parse_id(value or "") or 0


# --- programme items and their rules --------------------------------------------------------------------

ITEM_VALUES = ("kind", "protection_level")


def _item_preview(
    request: HttpRequest, event: Any, item: ProgrammeItem | None, form: ProgrammeItemForm
) -> list[Requirement]:
    """The requirements the item's rules would derive with the times and sites in ``form`` (no write)."""
    data = form.cleaned_data
    probe = item or ProgrammeItem(event=event)
    probe.starts_at, probe.ends_at = data["starts_at"], data["ends_at"]
    return services.preview_requirements(
        actor=request.user, item=probe, site_ids=[s.pk for s in data["sites"]]
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_form(request: HttpRequest, code: str, item_id: int | None = None) -> HttpResponse:
    """Add or change a programme item with its sites; its rules below (``rule_add``). "Preview" shows the
    requirements saving would derive, without saving."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    item = (
        queries.get_programme_item_for(request.user, event, item_id, action=CHANGE)
        if item_id is not None
        else None
    )
    with timezone.override(event.tz):
        initial = None
        if item is not None:
            initial = {
                n: getattr(item, n)
                for n in ("code", "name_vi", "name_en", "starts_at", "ends_at", *ITEM_VALUES)
            }
            initial["sites"] = [stop.site_id for stop in item.stops.all()]
        form = ProgrammeItemForm(request.POST or None, event=event, initial=initial)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            values = {
                n: data[n] for n in ("code", "name_vi", "name_en", "starts_at", "ends_at", *ITEM_VALUES)
            }
            try:
                if "preview" in request.POST:
                    services.within_event(event, data["starts_at"], data["ends_at"])
                    preview = _item_preview(request, event, item, form)
                elif item is None:
                    item = services.create_programme_item(
                        actor=request.user, event=event, sites=data["sites"], **values
                    )
                    messages.success(
                        request,
                        _("Programme item %(item)s added: now give it its rules.") % {"item": item.name},
                    )
                    return redirect("planning:item-edit", code=event.code, item_id=item.pk)
                else:
                    item = services.update_programme_item(
                        actor=request.user, item=item, sites=data["sites"], **values
                    )
                    messages.success(request, _("Programme item %(item)s saved.") % {"item": item.name})
                    return redirect("planning:item-edit", code=event.code, item_id=item.pk)
            except DomainError as exc:
                place_error(form, exc)
        return _item_page(request, event, item, form, RuleForm(event=event), preview=preview)


def _item_page(
    request: HttpRequest,
    event: Any,
    item: ProgrammeItem | None,
    form: ProgrammeItemForm,
    rule_form: RuleForm,
    *,
    preview: list[Requirement] | None = None,
    rule_preview: list[Requirement] | None = None,
) -> HttpResponse:
    context = {
        "event": event,
        "item": item,
        "form": form,
        "rule_form": rule_form,
        "rules": RequirementRule.objects.filter(programme_item=item).select_related("skill").order_by("pk")
        if item
        else [],
        "derived": Requirement.objects.filter(programme_item=item, rule__isnull=False)
        .select_related("post", "skill")
        .order_by("starts_at", "post__code", "pk")
        if item
        else [],
        "preview": preview,
        "rule_preview": rule_preview,
    }
    bad = (form.is_bound and bool(form.errors)) or (rule_form.is_bound and bool(rule_form.errors))
    return render(request, "planning/setup_item.html", context, status=400 if bad else 200)


@login_required
@require_POST
def rule_add(request: HttpRequest, code: str, item_id: int) -> HttpResponse:
    """Add a requirement rule to an item; with ``preview`` only show the requirements it would derive."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    item = queries.get_programme_item_for(request.user, event, item_id, action=CHANGE)
    with timezone.override(event.tz):
        rule_form = RuleForm(request.POST, event=event)
        rule_preview = None
        if rule_form.is_valid():
            data = rule_form.cleaned_data
            try:
                if "preview" in request.POST:
                    rule = RequirementRule(event=event, programme_item=item, **data)
                    rule_preview = services.preview_requirements(
                        actor=request.user, item=item, extra_rules=[rule]
                    )
                else:
                    services.add_requirement_rule(actor=request.user, item=item, **data)
                    messages.success(request, _("Rule added; the requirements are derived."))
                    return redirect("planning:item-edit", code=event.code, item_id=item.pk)
            except DomainError as exc:
                place_error(rule_form, exc)
        initial = {
            n: getattr(item, n) for n in ("code", "name_vi", "name_en", "starts_at", "ends_at", *ITEM_VALUES)
        }
        initial["sites"] = [stop.site_id for stop in item.stops.all()]
        form = ProgrammeItemForm(event=event, initial=initial)
        return _item_page(request, event, item, form, rule_form, rule_preview=rule_preview)


@login_required
@require_POST
def rule_delete(request: HttpRequest, code: str, item_id: int, rule_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    item = queries.get_programme_item_for(request.user, event, item_id, action=CHANGE)
    rule = queries.get_rule_for(request.user, item, rule_id, action=CHANGE)
    try:
        services.delete_requirement_rule(actor=request.user, rule=rule)
        messages.success(request, _("Rule removed; its requirements are gone."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("planning:item-edit", code=event.code, item_id=item.pk)


# --- hand-entered requirements and rest rules -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def requirement_form(request: HttpRequest, code: str) -> HttpResponse:
    """A requirement entered by hand (24/7 perimeter, hospital standby)."""
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    with timezone.override(event.tz):
        form = RequirementForm(request.POST or None, event=event)
        if request.method == "POST" and form.is_valid():
            try:
                services.create_requirement(actor=request.user, event=event, **form.cleaned_data)
                messages.success(request, _("Requirement added."))
                return redirect("planning:setup", code=event.code)
            except DomainError as exc:
                place_error(form, exc)
        return _render(request, "planning/setup_requirement.html", {"event": event, "form": form}, form)


@login_required
@require_POST
def requirement_delete(request: HttpRequest, code: str, requirement_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    requirement = queries.get_requirement_for(request.user, event, requirement_id, action=CHANGE)
    try:
        services.delete_requirement(actor=request.user, requirement=requirement)
        messages.success(request, _("Requirement removed."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("planning:setup", code=event.code)


@login_required
@require_http_methods(["GET", "POST"])
def rest_rules(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    current = RestRules.objects.filter(event=event).first()
    initial = {n: getattr(current, n) for n in services.REST_FIELDS} if current else None
    form = RestRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rest_rules(actor=request.user, event=event, **form.cleaned_data)
            messages.success(request, _("Rest rules saved."))
            return redirect("planning:setup", code=event.code)
        except DomainError as exc:
            place_error(form, exc)
    return _render(request, "planning/setup_rest.html", {"event": event, "form": form}, form)


# --- publishing the roster ------------------------------------------------------------------------------


def _scope(form: PublishForm) -> dict[str, Any]:
    data = form.cleaned_data
    scope = data["scope"]
    return {
        "day": date.fromisoformat(data["day"]) if scope == "day" else None,
        "unit": data["unit"] if scope == "unit" else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """Choose what to publish, see what each officer will receive, publish as one audited action."""
    event = event_queries.get_event_for(request.user, code, action="planning.publish")
    days = timelines.event_days(event)
    data = request.POST if request.method == "POST" else (request.GET if "scope" in request.GET else None)
    form = PublishForm(data, event=event, days=days)
    selection: list[Any] | None = None
    if form.is_bound and form.is_valid():
        scope = _scope(form)
        if request.method == "POST" and "publish" in request.POST:
            try:
                count = assignment_services.publish_roster(actor=request.user, event=event, **scope)
                messages.success(
                    request,
                    _("Published %(count)d assignment(s): the officers now see them as published.")
                    % {"count": count},
                )
                return redirect("planning:publish", code=event.code)
            except DomainError as exc:
                place_error(form, exc)
        selection = list(assignment_services.publish_selection(event, **scope)[:2000])
    planned = assignment_services.publish_selection(event).count()
    officers: dict[Any, list[Any]] = {}
    for assignment in selection or []:
        officers.setdefault(assignment.officer, []).append(assignment)
    context = {
        "event": event,
        "form": form,
        "selection": selection,
        "officers": list(officers.items()),
        "planned": planned,
    }
    with timezone.override(event.tz):
        return _render(request, "planning/publish.html", context, form)
