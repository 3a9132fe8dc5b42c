"""Every write to plans: create, edit (a new version), submit, return, approve.

Rules:
- an edit never changes a version: it writes version N+1 (a draft). Editing an approved plan starts a new
  draft while the approved version stays in force until the new one is approved; a submitted version
  cannot be edited until it is returned;
- submitting needs ``planning.change``; returning and approving need ``planning.approve`` (a commander);
- four eyes: nobody approves a version they wrote or submitted, nor one that contains their changes since
  the version in force;
- approval names the version and the SHA-256 of its canonical JSON, checked again at approval time.
Everything is validated before anything is written, inside one transaction, with one audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import Clearance, require
from antt.forces.models import Officer
from antt.plans import queries
from antt.plans.content import EDITABLE, check_deadline, content_of, input_of, text
from antt.plans.models import Plan, PlanStep, PlanVersion

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event


def _write_version(
    plan: Plan, number: int, content: Mapping[str, Any], change_note: str, actor: Actor
) -> PlanVersion:
    if len(change_note) > 500:
        raise Invalid(_("The change note may have at most 500 characters."), field="change_note")
    version = PlanVersion(
        plan=plan, number=number, change_note=change_note, author=cast("User", actor), **content
    )
    version.created_at = timezone.now()
    version.content_hash = version.compute_hash()
    writes.save(version)
    return version


def _step(plan: Plan, version: PlanVersion, action: str, actor: Actor, comment: str = "") -> None:
    PlanStep.objects.create(
        plan=plan, version=version, action=action, actor=cast("User", actor), comment=comment
    )


def _locked(plan: Plan) -> Plan:
    """The plan row, locked. No joins in the locking query: after waiting for the lock, PostgreSQL re-reads
    the plan row but would join it to the *old* snapshot (a version written meanwhile would be missing)."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _latest(plan: Plan) -> PlanVersion:
    assert plan.latest_version_id is not None  # every plan is created with its first version
    return PlanVersion.objects.select_related("plan").get(pk=plan.latest_version_id)


# --- services --------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    actor: Actor,
    event: Event,
    kind: str,
    code: str,
    title_vi: str,
    title_en: str,
    body_vi: str = "",
    body_en: str = "",
    trigger_vi: str = "",
    trigger_en: str = "",
    responsible: Officer | None = None,
    sites: Iterable[Any] = (),
    programme_items: Iterable[Any] = (),
    tasks: Sequence[Mapping[str, Any]] = (),
    change_note: str = "",
    classification: int = Clearance.CONFIDENTIAL,
) -> Plan:
    """A new plan with its version 1 (a draft), marked ``classification`` (Mật by default)."""
    require(actor, "planning.change", event)
    if kind not in Plan.Kind.values:
        raise Invalid(_("Choose the kind: plan or contingency plan."), field="kind")
    if classification not in Clearance.values:
        raise Invalid(_("Choose a classification from the list."), field="classification")
    data = {
        "title_vi": title_vi,
        "title_en": title_en,
        "body_vi": body_vi,
        "body_en": body_en,
        "trigger_vi": trigger_vi,
        "trigger_en": trigger_en,
        "responsible": responsible,
        "sites": sites,
        "programme_items": programme_items,
        "tasks": tasks,
    }
    content, links = content_of(event, kind, data, set())
    plan = Plan(
        event=event,
        kind=kind,
        code=text(code),
        title_vi=content["title_vi"],
        title_en=content["title_en"],
        responsible=links["responsible"],
        classification=classification,
    )
    if Plan.objects.filter(event=event, code=plan.code).exists():
        raise Invalid(_("This code is already used in this event."), field="code")
    writes.full_clean(plan)
    plan.refresh_search_text()
    writes.save(plan)
    plan.sites.set(links["sites"])
    plan.programme_items.set(links["programme_items"])
    version = _write_version(plan, 1, content, text(change_note), actor)
    plan.latest_version = version
    plan.save(update_fields=["latest_version"])
    _step(plan, version, PlanStep.Action.CREATED, actor, text(change_note))
    audit.record(
        actor=actor,
        action="plans.create_plan",
        target=plan,
        event=event,
        changes={
            "kind": [None, plan.kind],
            "code": [None, plan.code],
            "classification": [None, plan.classification],
            "version": [None, 1],
            "content_hash": [None, version.content_hash],
            "tasks": [None, len(content["tasks"])],
        },
    )
    return plan


@transaction.atomic
def edit_plan(
    *,
    actor: Actor,
    plan: Plan,
    base_number: int | None = None,
    change_note: str = "",
    **changes: Any,
) -> PlanVersion:
    """Write version N+1 from the latest version with ``changes`` applied (fields not given stay as they
    are; ``tasks`` replaces the whole list). ``base_number``: the version the editor started from; when
    someone saved another version meanwhile, the edit is refused instead of overwriting theirs."""
    require(actor, "planning.change", plan.event)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status == Plan.Status.SUBMITTED:
        raise Conflict(
            _("Version %(n)d is waiting for approval; it must be returned before anyone edits the plan.")
            % {"n": latest.number}
        )
    if base_number is not None and base_number != latest.number:
        raise Conflict(
            _(
                "Someone saved version %(n)d while you were editing version %(base)d. Reload the plan and make your changes again."
            )
            % {"n": latest.number, "base": base_number}
        )
    data = {**input_of(latest), **changes}
    content, links = content_of(plan.event, plan.kind, data, {t["key"] for t in latest.tasks})
    if all(content[name] == getattr(latest, name) for name in content):
        raise Invalid(_("Nothing changed, so no new version was made."), code="unchanged")
    before = {"status": plan.status, "title_vi": plan.title_vi, "title_en": plan.title_en}
    version = _write_version(plan, latest.number + 1, content, text(change_note), actor)
    plan.title_vi, plan.title_en = content["title_vi"], content["title_en"]
    plan.responsible = links["responsible"]
    plan.status = Plan.Status.DRAFT
    plan.latest_version = version
    plan.refresh_search_text()
    plan.save(
        update_fields=["title_vi", "title_en", "responsible", "status", "latest_version", "search_text"]
    )
    plan.sites.set(links["sites"])
    plan.programme_items.set(links["programme_items"])
    _step(plan, version, PlanStep.Action.EDITED, actor, text(change_note))
    audit.record(
        actor=actor,
        action="plans.edit_plan",
        target=plan,
        event=plan.event,
        changes={
            **audit.diff(
                before, {"status": plan.status, "title_vi": plan.title_vi, "title_en": plan.title_en}
            ),
            "version": [latest.number, version.number],
            "content_hash": [latest.content_hash, version.content_hash],
            "fields": [None, sorted(name for name in content if content[name] != getattr(latest, name))],
        },
    )
    return version


@transaction.atomic
def submit_plan(*, actor: Actor, plan: Plan, comment: str = "") -> Plan:
    """Send the latest (draft) version for approval."""
    require(actor, "planning.change", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(
            _("Only a draft can be submitted; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if not latest.body_vi.strip():
        raise Invalid(
            _("Write the plan's text (in Vietnamese at least) before submitting it."), field="body_vi"
        )
    if not latest.tasks:
        raise Invalid(_("Give the plan at least one task for a unit before submitting it."), field="tasks")
    for row, task in enumerate(latest.tasks, start=1):  # versions saved before a rule was added, too
        check_deadline(plan.event, parse_datetime(task["deadline"]) if task.get("deadline") else None, row)
    if not latest.responsible:
        raise Invalid(
            _("Name the commander responsible for the whole plan before submitting it."), field="responsible"
        )
    now = timezone.now()
    PlanVersion.objects.filter(pk=latest.pk).update(submitted_by=actor, submitted_at=now)
    plan.status = Plan.Status.SUBMITTED
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.SUBMITTED, actor, text(comment))
    audit.record(
        actor=actor,
        action="plans.submit_plan",
        target=plan,
        event=plan.event,
        changes={"status": [Plan.Status.DRAFT, Plan.Status.SUBMITTED], "version": [None, latest.number]},
    )
    return plan


@transaction.atomic
def return_plan(*, actor: Actor, plan: Plan, comment: str) -> Plan:
    """Send a submitted version back to draft, saying what must change."""
    require(actor, "planning.approve", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be returned."))
    comment = text(comment)
    if not comment:
        raise Invalid(_("Say what must change before returning the plan."), field="comment")
    if len(comment) > 4000:
        raise Invalid(_("The comment may have at most 4,000 characters."), field="comment")
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.RETURNED, actor, comment)
    audit.record(
        actor=actor,
        action="plans.return_plan",
        target=plan,
        event=plan.event,
        changes={
            "status": [Plan.Status.SUBMITTED, Plan.Status.DRAFT],
            "version": [latest.number, latest.number],
            "comment": [None, comment],
        },
    )
    return plan


@transaction.atomic
def approve_plan(*, actor: Actor, plan: Plan, number: int, comment: str = "") -> PlanVersion:
    """Approve the submitted version ``number`` (the one the commander reviewed); it comes into force."""
    require(actor, "planning.approve", plan.event)
    plan = _locked(plan)
    version = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be approved."))
    if number != version.number:
        raise Conflict(
            _("You reviewed version %(seen)s but version %(n)d is the one submitted; review it again.")
            % {"seen": number, "n": version.number}
        )
    if queries.wrote_or_submitted(actor, plan, version):
        raise NotAllowed(
            _("Four eyes: you wrote or submitted this version, so another commander must approve it.")
        )
    if version.compute_hash() != version.content_hash:
        raise Conflict(
            _(
                "The stored content of version %(n)d no longer matches its hash: it was changed outside ANTT. Do not approve it; tell the administrator."
            )
            % {"n": version.number}
        )
    previous = plan.approved_version
    now = timezone.now()
    PlanVersion.objects.filter(pk=version.pk).update(approved_by=actor, approved_at=now)
    plan.approved_version = version
    plan.status = Plan.Status.APPROVED
    plan.save(update_fields=["approved_version", "status", "updated_at"])
    _step(plan, version, PlanStep.Action.APPROVED, actor, text(comment))
    audit.record(
        actor=actor,
        action="plans.approve_plan",
        target=plan,
        event=plan.event,
        changes={
            "status": [Plan.Status.SUBMITTED, Plan.Status.APPROVED],
            "version": [previous.number if previous else None, version.number],
            "content_hash": [previous.content_hash if previous else None, version.content_hash],
        },
    )
    version.refresh_from_db()
    return version


@transaction.atomic
def withdraw_plan(*, actor: Actor, plan: Plan, comment: str = "") -> Plan:
    """Take a submitted draft back before anyone reviewed it (it becomes a draft again, to be changed)."""
    require(actor, "planning.change", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(
            _("Only a submitted draft can be withdrawn; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if len(comment) > 4000:
        raise Invalid(_("The comment may have at most 4,000 characters."), field="comment")
    PlanVersion.objects.filter(pk=latest.pk).update(submitted_by=None, submitted_at=None)
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.WITHDRAWN, actor, text(comment))
    audit.record(
        actor=actor,
        action="plans.withdraw_plan",
        target=plan,
        event=plan.event,
        changes={"status": [Plan.Status.SUBMITTED, Plan.Status.DRAFT], "version": [latest.number, None]},
    )
    return plan
