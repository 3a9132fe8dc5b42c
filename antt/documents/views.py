"""Document pages: the list a reader may see, a document's page, and the workflow buttons (POST).

Every download is a registered, marked, audited copy; it is a POST so that no prefetch or crawler makes one.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import DomainError, Invalid, NotFound
from antt.core.languages import current_language
from antt.core.lookups import id_or_not_found
from antt.core.permissions import can
from antt.documents import queries, services
from antt.documents.forms import DocumentForm, GrantForm, ReasonForm, UploadForm
from antt.documents.models import Document, Grant
from antt.events import queries as event_queries
from antt.events.models import Membership
from antt.forces.models import Unit
from antt.planning.models import Post, ProgrammeItem
from antt.plans import queries as plan_queries
from antt.plans.models import Plan


def _units(event: Any) -> list[tuple[int, str]]:
    return [(u.pk, f"{u.code} · {u}") for u in Unit.objects.filter(event=event).order_by("code")]


@login_required
@require_GET
def document_list(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    plan = None
    if request.GET.get("plan"):  # the plan itself under the plans' own access rule
        plan = plan_queries.get_plan_for(request.user, event, request.GET["plan"])
    documents = list(queries.documents_for(request.user, event, plan_id=plan.pk if plan else None))
    language = current_language()
    rows = [(d, d.title(language)) for d in documents]
    context = {
        "event": event,
        "rows": rows,
        "plan": plan,
        "can_create": can(request.user, "documents.manage", event),
    }
    return render(request, "documents/document_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.manage")
    form = DocumentForm(request.POST or None, units=_units(event))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = (
                Unit.objects.filter(event=event, pk=data["owner_unit"]).first()
                if data["owner_unit"]
                else None
            )
            document = services.create_document(
                actor=request.user,
                event=event,
                title_vi=data["title_vi"],
                title_en=data["title_en"],
                classification=data["classification"],
                owner_unit=unit,
                require_acknowledgement=data["require_acknowledgement"],
            )
            messages.success(request, _("Document created. Add its file now."))
            return redirect("documents:detail", code=event.code, document_id=document.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return render(request, "documents/document_form.html", {"event": event, "form": form})


def _grant_choices(event: Any) -> dict[str, list[tuple[int, str]]]:
    members = Membership.objects.filter(event=event, is_active=True).select_related("user")
    return {
        "user": [(m.user_id, m.user.get_full_name() or m.user.get_username()) for m in members],
        "unit": _units(event),
        "post": [(p.pk, f"{p.code} · {p}") for p in Post.objects.filter(event=event).order_by("code")],
        "programme_item": [
            (i.pk, f"{i.code} · {i}") for i in ProgrammeItem.objects.filter(event=event).order_by("starts_at")
        ],
    }


def _detail(request: HttpRequest, event: Any, document: Document, **forms: Any) -> HttpResponse:
    manage = services.may_manage(request.user, document)
    sees_plans = can(request.user, "planning.view", event)
    language = current_language()
    versions = list(document.versions.select_related("uploaded_by"))
    acknowledged = set(
        document.versions.filter(acknowledgements__reader=request.user.pk).values_list("number", flat=True)
    )
    context = {
        "event": event,
        "document": document,
        "title": document.title(language),
        "versions": versions,
        "acknowledged": acknowledged,
        "manage": manage,
        "grants": list(document.grants.select_related("user", "unit", "post", "programme_item", "granted_by"))
        if manage
        else [],
        "register": list(queries.register_of(document)[:200]) if manage else [],
        "upload_form": forms.get("upload_form") or UploadForm(),
        "grant_form": forms.get("grant_form") or GrantForm(choices=_grant_choices(event)) if manage else None,
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "active": document.state == Document.State.ACTIVE,
        "plans": list(document.plans.order_by("code")) if sees_plans else [],
        "all_plans": list(Plan.objects.filter(event=event).order_by("code")) if manage and sees_plans else [],
        "sees_plans": sees_plans,
        "user_id": request.user.pk,
    }
    return render(request, "documents/document_detail.html", context, status=forms.get("status", 200))


@login_required
@require_GET
@never_cache
def document_detail(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    return _detail(request, event, document)


class LimitedUpload(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (Django would otherwise spool all of it to a
    temporary file first); the view then answers with the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.request.antt_upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@login_required
@csrf_exempt  # checked below, after the upload handler is in place (Django's documented order)
@require_POST
def version_upload(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    request.upload_handlers.insert(0, LimitedUpload(request, services.max_bytes()))
    return _version_upload(request, code, document_id)


@csrf_protect
def _version_upload(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "antt_upload_too_large", False):
        form.is_valid()
        form.errors["file"] = form.error_class([services.too_large_message()])
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.add_version(
                actor=request.user, document=document, upload=upload, filename=upload.name
            )
            messages.success(request, _("Version %(n)s stored, encrypted.") % {"n": version.number})
            return redirect("documents:detail", code=event.code, document_id=document.pk)
        except DomainError as exc:
            form.add_error("file", str(exc))
    return _detail(request, event, document, upload_form=form, status=400)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@login_required
@require_POST
def version_download(request: HttpRequest, code: str, document_id: int, number: int) -> FileResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    version, copy, handle = services.issue_copy(
        actor=request.user, event=event, document_id=document_id, version_number=number
    )
    stem, _dot, suffix = version.filename.rpartition(".")
    name = f"{_SAFE_NAME.sub('_', stem or 'document')[:60]}-copy{copy.number}.{_SAFE_NAME.sub('', suffix)}"
    inline = request.POST.get("inline") == "1" and version.content_type in (
        "application/pdf",
        "image/png",
        "image/jpeg",
    )
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=version.content_type
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def version_acknowledge(request: HttpRequest, code: str, document_id: int, number: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    version = document.versions.filter(number=id_or_not_found(number)).first()
    if version is None:
        raise NotFound(_("Not found, or you do not have access."))
    services.acknowledge(actor=request.user, event=event, document=document, version=version)
    messages.success(request, _("Reading acknowledged."))
    return redirect("documents:detail", code=event.code, document_id=document.pk)


def _pick(model: Any, event: Any, pk: Any) -> Any:
    return model.objects.filter(event=event, pk=pk).first() if pk else None


@login_required
@require_POST
def grant_create(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    form = GrantForm(request.POST, choices=_grant_choices(event))
    if form.is_valid():
        data = form.cleaned_data
        tz = event.tz
        user = Membership.objects.filter(event=event, user_id=data["user"]).first() if data["user"] else None
        try:
            grant = services.grant(
                actor=request.user,
                document=document,
                kind=data["kind"],
                user=user.user if user else None,
                unit=_pick(Unit, event, data["unit"]),
                include_subunits=data["include_subunits"],
                post=_pick(Post, event, data["post"]),
                programme_item=_pick(ProgrammeItem, event, data["programme_item"]),
                valid_from=timezone.make_aware(data["valid_from"].replace(tzinfo=None), tz),
                valid_until=timezone.make_aware(data["valid_until"].replace(tzinfo=None), tz),
            )
            if grant.state == Grant.State.PENDING:
                messages.success(request, _("Grant recorded; a second person must approve it (Tuyệt mật)."))
            else:
                messages.success(request, _("Grant in force."))
            return redirect("documents:detail", code=event.code, document_id=document.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return _detail(request, event, document, grant_form=form, status=400)


@login_required
@require_POST
def grant_action(request: HttpRequest, code: str, document_id: int, grant_id: int, verb: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    grant = queries.get_grant_for(request.user, event, document, grant_id)
    try:
        if verb == "approve":
            services.approve_grant(actor=request.user, grant=grant)
            messages.success(request, _("Grant approved; it is in force."))
        else:
            services.revoke_grant(actor=request.user, grant=grant)
            messages.success(request, _("Grant revoked."))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect("documents:detail", code=event.code, document_id=document.pk)


@login_required
@require_POST
def document_plans(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    wanted = {id_or_not_found(value) for value in request.POST.getlist("plans")}
    plans = list(Plan.objects.filter(event=event, pk__in=wanted))
    try:
        if len(plans) != len(wanted):
            raise Invalid(_("Unknown plan in this event."), field="plans")
        services.attach_plans(actor=request.user, document=document, plans=plans)
        messages.success(request, _("Plans saved."))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect("documents:detail", code=event.code, document_id=document.pk)


@login_required
@require_POST
def document_state(request: HttpRequest, code: str, document_id: int, verb: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="documents.view")
    document = queries.get_document_for(request.user, event, document_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason (it is kept in the register)."))
        return redirect("documents:detail", code=event.code, document_id=document.pk)
    reason = form.cleaned_data["reason"]
    try:
        if verb == "reclassify":
            services.reclassify(
                actor=request.user,
                document=document,
                classification=form.cleaned_data["classification"]
                if form.cleaned_data["classification"] is not None
                else -1,
                reason=reason,
            )
            messages.success(request, _("Classification changed."))
        elif verb == "withdraw":
            services.withdraw(actor=request.user, document=document, reason=reason)
            messages.success(request, _("Document withdrawn: no one can read it now."))
        else:
            if request.POST.get("confirm") != "destroy":
                messages.error(request, _("Tick the box to confirm: destruction cannot be undone."))
                return redirect("documents:detail", code=event.code, document_id=document.pk)
            services.destroy(actor=request.user, document=document, reason=reason)
            messages.success(request, _("Document destroyed: its content can no longer be read by anyone."))
            return redirect("documents:list", code=event.code)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect("documents:detail", code=event.code, document_id=document.pk)
