"""Deleting a site, a post or a programme item: what stops it, what goes with it, and the delete itself.

The API and the set-up pages call the same functions. ``*_removal`` says, before anything is written, what
would block the delete (shown on the confirm page, with the button withheld) and what would go with it; the
``delete_*`` functions refuse with the same words (``Conflict``), then delete in one transaction with one
audit entry. A row of another app that still points at the object (an incident at a post, say) is caught by
the database's protection and refused with a general message (``audit.writes.delete``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import ngettext

from antt.audit import writes
from antt.core.errors import Conflict
from antt.core.permissions import require
from antt.planning import versions
from antt.planning.models import Assignment, Post, ProgrammeItem, ProgrammeItemSite, Requirement, Site
from antt.planning.services import ITEM_FIELDS, POST_FIELDS, SITE_FIELDS

if TYPE_CHECKING:
    from antt.accounts.actors import Actor

CHANGE = "planning.change"


@dataclass(frozen=True)
class Removal:
    """What stops deleting an object (``blockers``) and what is deleted or changed with it (``goes_with``)."""

    blockers: list[str] = field(default_factory=list)
    goes_with: list[str] = field(default_factory=list)

    def refuse(self) -> None:
        if self.blockers:
            raise Conflict(" ".join(self.blockers))


def site_removal(site: Site) -> Removal:
    blockers = []
    posts = Post.objects.filter(site=site).count()
    if posts:
        blockers.append(
            ngettext(
                "%(site)s still has %(count)d post: delete it or move it to another site first.",
                "%(site)s still has %(count)d posts: delete them or move them to another site first.",
                posts,
            )
            % {"site": site, "count": posts}
        )
    children = Site.objects.filter(parent=site).count()
    if children:
        blockers.append(
            ngettext(
                "%(count)d site lies inside it: give it another parent first.",
                "%(count)d sites lie inside it: give them another parent first.",
                children,
            )
            % {"count": children}
        )
    items = ProgrammeItemSite.objects.filter(site=site).values("item").distinct().count()
    if items:
        blockers.append(
            ngettext(
                "%(count)d programme item takes place there: remove the site from it first.",
                "%(count)d programme items take place there: remove the site from them first.",
                items,
            )
            % {"count": items}
        )
    return Removal(blockers=blockers)


def post_removal(post: Post) -> Removal:
    blockers, goes_with = [], []
    assignments = Assignment.objects.filter(post=post).count()
    if assignments:
        blockers.append(
            ngettext(
                "%(post)s still has %(count)d assignment: remove it in the assignment editor first.",
                "%(post)s still has %(count)d assignments: remove them in the assignment editor first.",
                assignments,
            )
            % {"post": post, "count": assignments}
        )
    requirements = Requirement.objects.filter(post=post).count()
    if requirements:
        goes_with.append(
            ngettext(
                "%(count)d requirement at this post is deleted with it.",
                "%(count)d requirements at this post are deleted with it.",
                requirements,
            )
            % {"count": requirements}
        )
    return Removal(blockers=blockers, goes_with=goes_with)


def item_removal(item: ProgrammeItem) -> Removal:
    goes_with = []
    rules = item.rules.count()
    derived = Requirement.objects.filter(programme_item=item, rule__isnull=False)
    if rules:
        goes_with.append(
            ngettext(
                "%(count)d requirement rule is deleted with it.",
                "%(count)d requirement rules are deleted with it.",
                rules,
            )
            % {"count": rules}
        )
    requirements = derived.count()
    if requirements:
        goes_with.append(
            ngettext(
                "%(count)d requirement derived from its rules is deleted.",
                "%(count)d requirements derived from its rules are deleted.",
                requirements,
            )
            % {"count": requirements}
        )
    orphans = Assignment.objects.filter(requirement__in=derived).count()
    if orphans:
        goes_with.append(
            ngettext(
                "%(count)d assignment stays but no longer meets a requirement (the coverage check lists it).",
                "%(count)d assignments stay but no longer meet a requirement (the coverage check lists them).",
                orphans,
            )
            % {"count": orphans}
        )
    return Removal(goes_with=goes_with)


@transaction.atomic
def delete_site(*, actor: Actor, site: Site) -> None:
    require(actor, CHANGE, site.event)
    site_removal(site).refuse()
    writes.delete(
        actor=actor,
        action=CHANGE,
        event=site.event,
        obj=site,
        fields=SITE_FIELDS,
        audit_action="planning.delete_site",
    )
    versions.bump(site.event_id)


@transaction.atomic
def delete_post(*, actor: Actor, post: Post) -> None:
    require(actor, CHANGE, post.event)
    post_removal(post).refuse()
    gone = list(post.requirements.values_list("pk", flat=True))  # deleted with it (cascade)
    versions.bump(post.event_id, posts=[post.pk], requirements=gone)
    writes.delete(
        actor=actor,
        action=CHANGE,
        event=post.event,
        obj=post,
        fields=POST_FIELDS,
        audit_action="planning.delete_post",
    )


@transaction.atomic
def delete_programme_item(*, actor: Actor, item: ProgrammeItem) -> None:
    """Delete an item with its rules and derived requirements; linked assignments become orphans."""
    require(actor, CHANGE, item.event)
    derived = Requirement.objects.filter(programme_item=item, rule__isnull=False)
    gone = list(derived.values_list("pk", flat=True))
    derived.delete()
    if gone:
        versions.bump(item.event_id, requirements=gone)
    writes.delete(
        actor=actor,
        action=CHANGE,
        event=item.event,
        obj=item,
        fields=ITEM_FIELDS,
        audit_action="planning.delete_programme_item",
    )
