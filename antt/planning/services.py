"""Every write to sites, posts, programme, requirements and rest rules (assignments: ``assignment_services``;
deleting a site, post or programme item: ``deletions``).

One transaction each; permission through ``require``; one audit entry with the before/after diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid
from antt.core.permissions import require
from antt.forces.models import Skill
from antt.planning import versions
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RequirementRule,
    RestRules,
    Site,
)

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

SITE_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "kind",
    "geometry",
    "address",
    "risk_level",
    "parent",
    "opening_windows",
)
POST_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "site",
    "kind",
    "geometry",
    "orders",
    "check_in_minutes",
    "default_skill",
)
ITEM_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "kind",
    "starts_at",
    "ends_at",
    "protection_level",
    "delegations",
)
RULE_FIELDS = (
    "programme_item",
    "post_kind",
    "skill",
    "headcount",
    "min_clearance",
    "lead_minutes",
    "lag_minutes",
)
REQUIREMENT_FIELDS = ("post", "starts_at", "ends_at", "skill", "headcount", "min_clearance", "rule")
ASSIGNMENT_FIELDS = ("officer", "post", "starts_at", "ends_at", "skill", "status", "requirement")
REST_FIELDS = ("min_rest_minutes", "max_duty_minutes_per_24h", "max_consecutive_days")
ACTIVE_STATUSES = (Assignment.Status.PLANNED, Assignment.Status.PUBLISHED)


def within_event(event: Event, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None or ends_at is None:
        return
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise Invalid(
            _("The window must lie within the event (%(start)s to %(end)s).") % _event_window(event)
        )


def _event_window(event: Event) -> dict[str, str]:
    tz = event.tz
    fmt = "%Y-%m-%d %H:%M"
    return {
        "start": event.starts_at.astimezone(tz).strftime(fmt),
        "end": event.ends_at.astimezone(tz).strftime(fmt),
    }


def _check_delegations(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in value):
        raise Invalid(_("Delegations must be a list of names."), field="delegations")


# --- sites and posts ------------------------------------------------------------------------------------


def _check_site_parent(site: Site, parent: Site | None) -> None:
    seen = {site.pk}
    while parent is not None:
        if parent.pk in seen:
            raise Invalid(_("A site cannot be placed inside itself or its own part."), field="parent")
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def create_site(*, actor: Actor, event: Event, code: str, name_vi: str, name_en: str, **fields: Any) -> Site:
    require(actor, "planning.change", event)  # permission first: a refused actor never learns a rule
    writes.same_event(event, parent=fields.get("parent"))
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    site = Site(event=event, code=code, name_vi=name_vi, name_en=name_en, **fields)
    site = writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=site,
        fields=SITE_FIELDS,
        audit_action="planning.create_site",
        search=True,
    )
    _bump_for_site(site, set(fields))
    return site


@transaction.atomic
def update_site(*, actor: Actor, site: Site, **changes: Any) -> Site:
    require(actor, "planning.change", site.event)
    writes.same_event(site.event, parent=changes.get("parent"))
    if "parent" in changes:
        _check_site_parent(site, changes["parent"])
    site, delta = writes.update(
        actor=actor,
        action="planning.change",
        event=site.event,
        obj=site,
        changes=changes,
        allowed=SITE_FIELDS,
        fields=SITE_FIELDS,
        audit_action="planning.update_site",
        search=True,
    )
    if delta:
        _bump_for_site(site, set(delta))
    return site


#: Fields of a site the coverage audit does not read (a change re-reads its labels, not the plan).
_SITE_QUIET = frozenset(SITE_FIELDS) - {"opening_windows"}


def _bump_for_site(site: Site, changed: set[str]) -> None:
    """Move the plan version on for a site: its labels, or (opening hours) the whole plan."""
    if changed <= _SITE_QUIET:
        versions.bump(site.event_id, sites=[site.pk])
    else:
        versions.bump(site.event_id)


@transaction.atomic
def create_post(
    *, actor: Actor, event: Event, site: Site, code: str, name_vi: str, name_en: str, **fields: Any
) -> Post:
    require(actor, "planning.change", event)
    writes.same_event(event, site=site, default_skill=fields.get("default_skill"))
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    post = Post(event=event, site=site, code=code, name_vi=name_vi, name_en=name_en, **fields)
    post = writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=post,
        fields=POST_FIELDS,
        audit_action="planning.create_post",
    )
    versions.bump(event, posts=[post.pk])
    _rederive_at(site)
    return post


@transaction.atomic
def update_post(*, actor: Actor, post: Post, **changes: Any) -> Post:
    require(actor, "planning.change", post.event)
    before_site = post.site
    writes.same_event(post.event, site=changes.get("site"), default_skill=changes.get("default_skill"))
    post, delta = writes.update(
        actor=actor,
        action="planning.change",
        event=post.event,
        obj=post,
        changes=changes,
        allowed=POST_FIELDS,
        fields=POST_FIELDS,
        audit_action="planning.update_post",
    )
    if "site" in delta:  # the site of its requirements and assignments: the whole plan
        versions.bump(post.event_id)
    elif delta:
        versions.bump(post.event_id, posts=[post.pk])
    if {"site", "kind"} & set(changes):
        _rederive_at(post.site, *([before_site] if before_site.pk != post.site_id else []))
    return post


def _rederive_at(*sites: Site) -> None:
    """A post was added, moved or changed kind: re-derive the programme items held at its site (or at the
    venue the site is a zone of)."""
    site_ids = {site.pk for site in sites} | {site.parent_id for site in sites if site.parent_id}
    items = ProgrammeItem.objects.filter(stops__site_id__in=site_ids).distinct().order_by("pk")
    for item in items:
        derive_requirements(item)


# --- programme and derived requirements ------------------------------------------------------------------


def _set_item_sites(item: ProgrammeItem, sites: Iterable[Site]) -> list[int]:
    ordered = list(sites)
    ids = [site.pk for site in ordered]
    if len(set(ids)) != len(ids):
        raise Invalid(_("A site is listed twice."), field="sites")
    for site in ordered:
        writes.same_event(item.event, sites=site)
    ProgrammeItemSite.objects.filter(item=item).delete()
    ProgrammeItemSite.objects.bulk_create(
        [ProgrammeItemSite(item=item, site=site, position=index) for index, site in enumerate(ordered)]
    )
    return ids


def _posts_at(event_id: int, site_ids: Iterable[int]) -> list[Post]:
    """The posts at ``site_ids`` and at the zones of those sites (a venue's gates are in its zones)."""
    ids = list(site_ids)
    ids += list(Site.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    return list(Post.objects.filter(event_id=event_id, site_id__in=ids).select_related("site").order_by("pk"))


def requirements_from_rules(
    item: ProgrammeItem, rules: Iterable[RequirementRule], posts: Iterable[Post]
) -> dict[tuple[Any, int], Requirement]:
    """**The** derivation: for every rule and every post of the rule's kind, one requirement over the item's
    window widened by the rule's lead and lag. Unsaved rows keyed by (rule key, post id); a rule not yet
    saved (a preview) is keyed by its position. ``derive_requirements`` saves them; ``preview_requirements``
    shows them."""
    wanted: dict[tuple[Any, int], Requirement] = {}
    post_list = list(posts)
    for index, rule in enumerate(rules):
        key = rule.pk if rule.pk is not None else f"new-{index}"
        for post in post_list:
            if post.kind != rule.post_kind:
                continue
            wanted[(key, post.pk)] = Requirement(
                event_id=item.event_id,
                post=post,
                starts_at=item.starts_at - timedelta(minutes=rule.lead_minutes or 0),
                ends_at=item.ends_at + timedelta(minutes=rule.lag_minutes or 0),
                skill=rule.skill,
                headcount=rule.headcount,
                min_clearance=rule.min_clearance,
                rule=rule if rule.pk is not None else None,
                programme_item=item if item.pk is not None else None,
            )
    return wanted


def preview_requirements(
    *,
    actor: Any,
    item: ProgrammeItem,
    site_ids: Iterable[int] | None = None,
    extra_rules: Iterable[RequirementRule] = (),
) -> list[Requirement]:
    """What saving would derive, without writing: the item's saved rules (none for a new item) and
    ``extra_rules`` (a rule being added), at ``site_ids`` (the sites being chosen; default: the item's)."""
    require(actor, "planning.change", item.event)
    if site_ids is None:
        site_ids = list(ProgrammeItemSite.objects.filter(item=item).values_list("site_id", flat=True))
    saved = list(RequirementRule.objects.filter(programme_item=item).select_related("skill").order_by("pk"))
    rules = (saved if item.pk is not None else []) + list(extra_rules)
    wanted = requirements_from_rules(item, rules, _posts_at(item.event_id, site_ids))
    return sorted(wanted.values(), key=lambda r: (r.starts_at, r.post.code, r.skill.code))


def derive_requirements(programme_item: ProgrammeItem) -> dict[str, int]:
    """Re-derive the item's requirements from its rules, inside the caller's transaction.

    ``requirements_from_rules`` at the posts of the item's sites (and their zones). Existing derived
    requirements are updated in place (their ids stay, so linked assignments stay linked); those no longer
    produced are deleted. Assignments are never touched: one whose requirement disappeared becomes an
    orphan finding.
    """
    item = programme_item
    site_ids = list(ProgrammeItemSite.objects.filter(item=item).values_list("site_id", flat=True))
    rules = RequirementRule.objects.filter(programme_item=item).select_related("skill").order_by("pk")
    wanted = requirements_from_rules(item, rules, _posts_at(item.event_id, site_ids))
    existing = {
        (req.rule_id, req.post_id): req
        for req in Requirement.objects.select_for_update().filter(programme_item=item, rule__isnull=False)
    }
    stale = [req.pk for key, req in existing.items() if key not in wanted]
    Requirement.objects.filter(pk__in=stale).delete()
    changed = []
    for key, new in wanted.items():
        old = existing.get(key)
        if old is None:
            continue
        values = ("starts_at", "ends_at", "skill_id", "headcount", "min_clearance")
        if any(getattr(old, name) != getattr(new, name) for name in values):
            for name in values:
                setattr(old, name, getattr(new, name))
            changed.append(old)
    Requirement.objects.bulk_update(
        changed, ["starts_at", "ends_at", "skill_id", "headcount", "min_clearance"]
    )
    created = Requirement.objects.bulk_create([new for key, new in wanted.items() if key not in existing])
    if stale or changed or created:
        versions.bump(
            item.event_id, requirements=[*stale, *(r.pk for r in changed), *(r.pk for r in created)]
        )
    return {"created": len(created), "updated": len(changed), "deleted": len(stale)}


@transaction.atomic
def create_programme_item(
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_vi: str,
    name_en: str,
    starts_at: datetime,
    ends_at: datetime,
    sites: Iterable[Site] = (),
    **fields: Any,
) -> ProgrammeItem:
    require(actor, "planning.change", event)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_delegations(fields.get("delegations", []))
    item = ProgrammeItem(
        event=event,
        code=code,
        name_vi=name_vi,
        name_en=name_en,
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )
    writes.full_clean(item)
    within_event(event, starts_at, ends_at)
    item = writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=item,
        fields=ITEM_FIELDS,
        audit_action="planning.create_programme_item",
    )
    _set_item_sites(item, sites)
    return item


@transaction.atomic
def update_programme_item(
    *, actor: Actor, item: ProgrammeItem, sites: Iterable[Site] | None = None, **changes: Any
) -> ProgrammeItem:
    """Change an item (and its ordered sites); its requirements are re-derived in the same transaction."""
    require(actor, "planning.change", item.event)
    if "delegations" in changes:
        _check_delegations(changes["delegations"])
    before_sites = list(item.stops.values_list("site_id", flat=True))
    item, _delta = writes.update(
        actor=actor,
        action="planning.change",
        event=item.event,
        obj=item,
        changes=changes,
        allowed=ITEM_FIELDS,
        fields=ITEM_FIELDS,
        audit_action="planning.update_programme_item",
    )
    within_event(item.event, item.starts_at, item.ends_at)
    if sites is not None:
        after_sites = _set_item_sites(item, sites)
        if after_sites != before_sites:
            audit.record(
                actor=actor,
                action="planning.set_programme_item_sites",
                target=item,
                event=item.event,
                changes={"sites": [before_sites, after_sites]},
            )
    counts = derive_requirements(item)
    if any(counts.values()):
        audit.record(
            actor=actor, action="planning.derive_requirements", target=item, event=item.event, changes=counts
        )
    return item


@transaction.atomic
def add_requirement_rule(
    *, actor: Actor, item: ProgrammeItem, post_kind: str, skill: Skill, headcount: int = 1, **fields: Any
) -> RequirementRule:
    require(actor, "planning.change", item.event)
    writes.same_event(item.event, skill=skill)
    rule = RequirementRule(
        event=item.event, programme_item=item, post_kind=post_kind, skill=skill, headcount=headcount, **fields
    )
    rule = writes.create(
        actor=actor,
        action="planning.change",
        event=item.event,
        obj=rule,
        fields=RULE_FIELDS,
        audit_action="planning.add_requirement_rule",
    )
    derive_requirements(item)
    return rule


@transaction.atomic
def delete_requirement_rule(*, actor: Actor, rule: RequirementRule) -> None:
    require(actor, "planning.change", rule.event)
    item = rule.programme_item
    derived = Requirement.objects.filter(rule=rule)
    gone = list(derived.values_list("pk", flat=True))
    derived.delete()
    if gone:
        versions.bump(item.event_id, requirements=gone)
    writes.delete(
        actor=actor,
        action="planning.change",
        event=item.event,
        obj=rule,
        fields=RULE_FIELDS,
        audit_action="planning.delete_requirement_rule",
    )
    derive_requirements(item)


# --- manual requirements ---------------------------------------------------------------------------------


@transaction.atomic
def create_requirement(
    *,
    actor: Actor,
    event: Event,
    post: Post,
    starts_at: datetime,
    ends_at: datetime,
    skill: Skill,
    headcount: int = 1,
    min_clearance: int = 0,
) -> Requirement:
    """A requirement entered by hand (24/7 perimeter, hospital standby)."""
    require(actor, "planning.change", event)
    writes.same_event(event, post=post, skill=skill)
    requirement = Requirement(
        event=event,
        post=post,
        starts_at=starts_at,
        ends_at=ends_at,
        skill=skill,
        headcount=headcount,
        min_clearance=min_clearance,
    )
    writes.full_clean(requirement)
    within_event(event, starts_at, ends_at)
    requirement = writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=requirement,
        fields=REQUIREMENT_FIELDS,
        audit_action="planning.create_requirement",
    )
    versions.bump(event, requirements=[requirement.pk])
    return requirement


@transaction.atomic
def update_requirement(*, actor: Actor, requirement: Requirement, **changes: Any) -> Requirement:
    require(actor, "planning.change", requirement.event)
    if requirement.rule_id is not None:
        raise Conflict(
            _("This requirement is derived from a rule: change the programme item or its rules instead.")
        )
    writes.same_event(requirement.event, post=changes.get("post"), skill=changes.get("skill"))
    requirement, delta = writes.update(
        actor=actor,
        action="planning.change",
        event=requirement.event,
        obj=requirement,
        changes=changes,
        allowed=("post", "starts_at", "ends_at", "skill", "headcount", "min_clearance"),
        fields=REQUIREMENT_FIELDS,
        audit_action="planning.update_requirement",
    )
    within_event(requirement.event, requirement.starts_at, requirement.ends_at)
    if delta:
        versions.bump(requirement.event_id, requirements=[requirement.pk])
    return requirement


@transaction.atomic
def delete_requirement(*, actor: Actor, requirement: Requirement) -> None:
    require(actor, "planning.change", requirement.event)
    if requirement.rule_id is not None:
        raise Conflict(
            _("This requirement is derived from a rule: change the programme item or its rules instead.")
        )
    writes.delete(
        actor=actor,
        action="planning.change",
        event=requirement.event,
        obj=requirement,
        fields=REQUIREMENT_FIELDS,
        audit_action="planning.delete_requirement",
    )
    versions.bump(requirement.event_id, requirements=[requirement.pk])


# --- rest rules ------------------------------------------------------------------------------------------


@transaction.atomic
def set_rest_rules(*, actor: Actor, event: Event, **values: Any) -> RestRules:
    require(actor, "planning.change", event)
    rules, _created = RestRules.objects.select_for_update().get_or_create(event=event)
    rules, delta = writes.update(
        actor=actor,
        action="planning.change",
        event=event,
        obj=rules,
        changes=values,
        allowed=REST_FIELDS,
        fields=REST_FIELDS,
        audit_action="planning.set_rest_rules",
    )
    if delta:
        versions.bump(event)  # every officer's working time: the whole plan
    return rules
