"""Deleting a site, a post or a programme item from the set-up pages: a confirm page that says what would
stop the delete and what goes with it, then the delete itself through ``deletions`` (the API's service).

GET shows the confirm page (the button is withheld while something blocks the delete); POST deletes and
returns to the set-up page, or shows the page again with the refusal (409) when the plan changed in between.
Every step needs ``planning.change`` on the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from antt.core.errors import DomainError
from antt.events import queries as event_queries
from antt.planning import deletions, queries
from antt.planning.deletions import Removal

CHANGE = "planning.change"


def _confirm(
    request: HttpRequest,
    event: Any,
    obj: Any,
    *,
    heading: str,
    back: str,
    removal: Callable[[Any], Removal],
    delete: Callable[[], None],
    done: str,
) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            delete()
            messages.success(request, done)
            return redirect("planning:setup", code=event.code)
        except DomainError as exc:
            error = str(exc)
    context = {"event": event, "object": obj, "heading": heading, "back": back, "removal": removal(obj)}
    return render(
        request, "planning/setup_delete.html", {**context, "error": error}, status=409 if error else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_delete(request: HttpRequest, code: str, site_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    site = queries.get_site_for(request.user, event, site_id, action=CHANGE)
    return _confirm(
        request,
        event,
        site,
        heading=_("Delete site %(site)s?") % {"site": site.name},
        back=reverse("planning:site-edit", args=[event.code, site.pk]),
        removal=deletions.site_removal,
        delete=lambda: deletions.delete_site(actor=request.user, site=site),
        done=_("Site %(site)s deleted.") % {"site": site.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    post = queries.get_post_for(request.user, event, post_id, action=CHANGE)
    return _confirm(
        request,
        event,
        post,
        heading=_("Delete post %(post)s?") % {"post": post.name},
        back=reverse("planning:post-edit", args=[event.code, post.pk]),
        removal=deletions.post_removal,
        delete=lambda: deletions.delete_post(actor=request.user, post=post),
        done=_("Post %(post)s deleted.") % {"post": post.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, code: str, item_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action=CHANGE)
    item = queries.get_programme_item_for(request.user, event, item_id, action=CHANGE)
    return _confirm(
        request,
        event,
        item,
        heading=_("Delete programme item %(item)s?") % {"item": item.name},
        back=reverse("planning:item-edit", args=[event.code, item.pk]),
        removal=deletions.item_removal,
        delete=lambda: deletions.delete_programme_item(actor=request.user, item=item),
        done=_("Programme item %(item)s deleted.") % {"item": item.name},
    )
