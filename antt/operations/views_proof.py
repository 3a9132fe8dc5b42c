"""A post's check-in proof page (planners): what proves presence at the post, and its NFC tags — register
one (keys typed in, or made here and shown once), retire one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from antt.core.errors import Conflict, DomainError
from antt.core.lookups import id_or_not_found
from antt.events import queries as event_queries
from antt.operations import field_checkins, field_queries, nfc_tags
from antt.operations.field_forms import NfcTagForm, PostProofForm
from antt.operations.models import NfcTag

PROOF_FIELDS = ("needs_position", "needs_code", "needs_nfc", "radius_m", "grace_minutes", "away_minutes")


def _settings_for(request: HttpRequest, code: str, post_id: int) -> tuple[Any, Any]:
    event = event_queries.get_event_for(request.user, code, action="planning.change")
    return event, field_queries.get_post_for_settings(event, post_id)


def _page(request: HttpRequest, event: Any, post: Any, status: int = 200, **context: Any) -> HttpResponse:
    row = field_checkins.post_proof(post)
    context.setdefault("form", PostProofForm(initial={name: getattr(row, name) for name in PROOF_FIELDS}))
    context.setdefault("tag_form", NfcTagForm())
    tags = NfcTag.objects.filter(post=post).order_by("-is_active", "uid")
    return render(
        request,
        "operations/field/proof.html",
        {"event": event, "post": post, "tags": tags, **context},
        status=status,
    )


def _add_error(form: Any, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return 409 if isinstance(exc, Conflict) else 400


@login_required
@require_http_methods(["GET", "POST"])
def post_proof_settings(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    """What proves presence at one post (planners): the proofs required, radius, grace, time away; the
    post's NFC tags with their last tap counter."""
    event, post = _settings_for(request, code, post_id)
    if request.method != "POST":
        return _page(request, event, post)
    form = PostProofForm(request.POST)
    status, saved = 400, False
    if form.is_valid():
        try:
            field_checkins.configure_proof(actor=request.user, event=event, post=post, **form.cleaned_data)
            status, saved = 200, True
        except DomainError as exc:
            status = _add_error(form, exc)
    return _page(request, event, post, status, form=form, saved=saved)


@never_cache  # the page may carry keys made here: never kept by a cache
@login_required
@require_POST
def nfc_tag_add(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    event, post = _settings_for(request, code, post_id)
    form = NfcTagForm(request.POST)
    if not form.is_valid():
        return _page(request, event, post, 400, tag_form=form)
    try:
        done = nfc_tags.register_tag(actor=request.user, event=event, post=post, **form.cleaned_data)
    except DomainError as exc:
        return _page(request, event, post, _add_error(form, exc), tag_form=form)
    return _page(request, event, post, 201, registered=done.tag, made_keys=done.generated)


@login_required
@require_POST
def nfc_tag_retire(request: HttpRequest, code: str, post_id: int, tag_id: int) -> HttpResponse:
    event, post = _settings_for(request, code, post_id)
    tag = NfcTag.objects.filter(pk=id_or_not_found(tag_id), event=event, post=post).first()
    if tag is None:
        raise Http404
    nfc_tags.retire_tag(actor=request.user, event=event, tag=tag)
    return redirect("operations:post-proof", code=event.code, post_id=post.pk)
