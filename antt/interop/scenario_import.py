"""The scenario import: a whole plan from one scenario document, into an empty event or a new one.

The document is validated completely first (:func:`antt.interop.scenario.check`); then every record is
written through the services in one transaction, in the order the references need (skills, sites, posts,
units, officers, commanders, programme and rules, requirements, assignments, rest rules, status). Nothing is
written when any problem is found, or when any service refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import DomainError, Invalid
from antt.core.permissions import require
from antt.events import services as event_services
from antt.events.models import Event
from antt.forces import services as forces_services
from antt.forces.models import Officer, Skill, Unit
from antt.interop import scenario
from antt.interop.problems import HasProblems, Problem
from antt.planning import assignment_services, versions
from antt.planning import services as planning
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, RequirementRule, Site

if TYPE_CHECKING:
    from antt.accounts.actors import Actor

# Findings the coverage audit reports (and assign_officer refuses) that a plan may knowingly hold: a
# scenario keeps them as they are, so the copy shows the same gap board as the original.
KEPT_FINDINGS = frozenset(
    {
        "double_booked",
        "rest_too_short",
        "duty_over_24h",
        "too_many_consecutive_days",
        "skill_expired",
        "clearance_too_low",
        "officer_unavailable",
        "outside_site_hours",
    }
)
COUNTED = ("skills", "sites", "posts", "units", "officers", "programme", "requirements", "assignments")


class _Rollback(Exception):
    """Raised inside the import transaction to undo a dry run."""


@dataclass
class ScenarioReport(HasProblems):
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    event: Any = None  # the Event written into, once known
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "written": self.written,
            "event": getattr(self.event, "code", None),
            "counts": self.counts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def import_scenario(
    *,
    actor: Actor,
    data: Any,
    event: Event | None = None,
    new_event_code: str | None = None,
    commit: bool = True,
) -> ScenarioReport:
    """Validate ``data`` completely, then write it through the services in one transaction.

    Into ``event`` (which must hold no plan yet) or into a new event ``new_event_code`` created from the
    file's event (the actor needs the right to create events). Nothing is written when any problem is found.
    """
    report = ScenarioReport()
    refusal = _target_refusal(actor, event, new_event_code)
    if refusal is not None:
        report.problems.append(refusal)
        return report
    window = (event.starts_at, event.ends_at) if event is not None else None
    checked = scenario.check(data, window=window)
    report.problems += checked.problems
    if checked.errors:
        return report
    writer = _Writer(actor=actor, data=data, report=report, double_booked=checked.double_booked)
    try:
        with transaction.atomic():
            writer.run(event, new_event_code)
            if not commit:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    except DomainError as exc:
        suffix = f".{exc.field}" if exc.field else ""
        report.problems.append(Problem(_("%(message)s"), {"message": str(exc)}, path=writer.path + suffix))
        report.written = False
        report.counts = {}
    return report


def _target_refusal(actor: Actor, event: Event | None, new_event_code: str | None) -> Problem | None:
    """Why the plan cannot go where it is sent (an event that holds a plan, a code in use), else None."""
    if event is not None:
        require(actor, "planning.change", event)
        require(actor, "forces.change", event)
        require(actor, "planning.assign", event)
        if not _is_empty(event):
            return Problem(
                _("The event %(code)s already holds a plan; import into an empty event or a new one."),
                {"code": event.code},
                path="$",
            )
    elif new_event_code is not None and Event.objects.filter(code=new_event_code).exists():
        return Problem(
            _("An event with the code %(code)s already exists."),
            {"code": new_event_code},
            path="$.event.code",
        )
    return None


def _is_empty(event: Event) -> bool:
    models = (Skill, Site, Post, Unit, Officer, ProgrammeItem, Requirement, Assignment)
    return not any(model.objects.filter(event=event).exists() for model in models)


def _topological(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_code = {e["code"]: e for e in entries}
    done: set[str] = set()
    out: list[dict[str, Any]] = []

    def visit(entry: dict[str, Any]) -> None:
        if entry["code"] in done:
            return
        done.add(entry["code"])
        if entry["parent"] in by_code:
            visit(by_code[entry["parent"]])
        out.append(entry)

    for entry in entries:
        visit(entry)
    return out


def _parse(value: str) -> datetime:
    moment = scenario.parse_datetime(value)
    assert moment is not None  # checked before anything is written
    return moment


def _assignment_as_is(actor: Actor, event: Event, values: dict[str, Any]) -> Any:
    """An assignment exactly as the file has it (one-row rules still checked), audited as imported."""
    return writes.create(
        actor=actor,
        action="planning.assign",
        event=event,
        obj=Assignment(event=event, **values),
        fields=planning.ASSIGNMENT_FIELDS,
        audit_action="interop.import_assignment_as_is",
    )


@dataclass
class _Writer:
    """Writes a checked document part by part; ``path`` names the part at hand, to place an error."""

    actor: Actor
    data: dict[str, Any]
    report: ScenarioReport
    double_booked: set[int]
    path: str = "$"
    event: Any = None  # the Event, once run() has found or created it
    skills: dict[str, Skill] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    rules: dict[tuple[str, int], RequirementRule] = field(default_factory=dict)
    manual: dict[str, Requirement] = field(default_factory=dict)

    def run(self, event: Event | None, new_event_code: str | None) -> None:
        self.event = event if event is not None else self.create_event(str(new_event_code))
        self.report.event = self.event
        self.write_skills()
        self.write_sites()
        self.write_posts()
        self.write_units()
        self.write_officers()
        self.write_commanders()
        self.write_programme()
        self.write_requirements()
        self.write_assignments()
        self.write_rest_rules()
        self.set_status(new_event_code)
        counts = {key: len(self.data[key]) for key in COUNTED}
        audit.record(
            actor=self.actor,
            action="interop.import_scenario",
            target=self.event,
            event=self.event,
            changes=counts,
        )
        versions.bump(self.event)  # a whole plan written: live coverage indexes rebuild
        self.report.counts = counts
        self.report.event = self.event

    def create_event(self, code: str) -> Any:
        spec = self.data["event"]
        self.path = "$.event"
        return event_services.create_event(
            actor=self.actor,
            code=code,
            name_vi=spec["name_vi"],
            name_en=spec["name_en"],
            starts_at=_parse(spec["starts_at"]),
            ends_at=_parse(spec["ends_at"]),
            time_zone=spec["time_zone"],
        )

    def write_skills(self) -> None:
        for i, s in enumerate(self.data["skills"]):
            self.path = f"$.skills[{i}]"
            self.skills[s["code"]] = forces_services.create_skill(
                actor=self.actor, event=self.event, code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"]
            )

    def write_sites(self) -> None:
        index = {id(e): i for i, e in enumerate(self.data["sites"])}
        for s in _topological(self.data["sites"]):
            self.path = f"$.sites[{index[id(s)]}]"
            self.sites[s["code"]] = planning.create_site(
                actor=self.actor,
                event=self.event,
                code=s["code"],
                name_vi=s["name_vi"],
                name_en=s["name_en"],
                kind=s["kind"],
                geometry=s["geometry"],
                address=s["address"],
                risk_level=s["risk_level"],
                parent=self.sites[s["parent"]] if s["parent"] else None,
                opening_windows=s["opening_windows"],
            )

    def write_posts(self) -> None:
        for i, p in enumerate(self.data["posts"]):
            self.path = f"$.posts[{i}]"
            self.posts[p["code"]] = planning.create_post(
                actor=self.actor,
                event=self.event,
                site=self.sites[p["site"]],
                code=p["code"],
                name_vi=p["name_vi"],
                name_en=p["name_en"],
                kind=p["kind"],
                geometry=p["geometry"],
                orders=p["orders"],
                check_in_minutes=p["check_in_minutes"],
                default_skill=self.skills[p["default_skill"]] if p["default_skill"] else None,
            )

    def write_units(self) -> None:
        index = {id(e): i for i, e in enumerate(self.data["units"])}
        for u in _topological(self.data["units"]):
            self.path = f"$.units[{index[id(u)]}]"
            self.units[u["code"]] = forces_services.create_unit(
                actor=self.actor,
                event=self.event,
                code=u["code"],
                name_vi=u["name_vi"],
                name_en=u["name_en"],
                parent=self.units[u["parent"]] if u["parent"] else None,
            )

    def write_officers(self) -> None:
        for i, o in enumerate(self.data["officers"]):
            self.path = f"$.officers[{i}]"
            self.officers[o["code"]] = forces_services.create_officer(
                actor=self.actor,
                event=self.event,
                code=o["code"],
                full_name=o["full_name"],
                unit=self.units[o["unit"]],
                rank=o["rank"],
                call_sign=o["call_sign"],
                phone=o["phone"],
                clearance=o["clearance"],
                home_base=self.sites[o["home_base"]] if o["home_base"] else None,
                availability=o["availability"],
                skills=[
                    (
                        self.skills[e["skill"]],
                        date.fromisoformat(e["expires_on"]) if e["expires_on"] else None,
                    )
                    for e in o["skills"]
                ],
            )

    def write_commanders(self) -> None:
        for i, u in enumerate(self.data["units"]):
            if u["commander"]:
                self.path = f"$.units[{i}].commander"
                self.units[u["code"]] = forces_services.update_unit(
                    actor=self.actor, unit=self.units[u["code"]], commander=self.officers[u["commander"]]
                )

    def write_programme(self) -> None:
        for i, item in enumerate(self.data["programme"]):
            self.path = f"$.programme[{i}]"
            created = planning.create_programme_item(
                actor=self.actor,
                event=self.event,
                code=item["code"],
                name_vi=item["name_vi"],
                name_en=item["name_en"],
                starts_at=_parse(item["starts_at"]),
                ends_at=_parse(item["ends_at"]),
                sites=[self.sites[c] for c in item["sites"]],
                kind=item["kind"],
                protection_level=item["protection_level"],
                delegations=item["delegations"],
            )
            for j, r in enumerate(item["rules"]):
                self.path = f"$.programme[{i}].rules[{j}]"
                self.rules[(item["code"], j)] = planning.add_requirement_rule(
                    actor=self.actor,
                    item=created,
                    post_kind=r["post_kind"],
                    skill=self.skills[r["skill"]],
                    headcount=r["headcount"],
                    min_clearance=r["min_clearance"],
                    lead_minutes=r["lead_minutes"],
                    lag_minutes=r["lag_minutes"],
                )

    def write_requirements(self) -> None:
        for i, r in enumerate(self.data["requirements"]):
            self.path = f"$.requirements[{i}]"
            self.manual[r["key"]] = planning.create_requirement(
                actor=self.actor,
                event=self.event,
                post=self.posts[r["post"]],
                starts_at=_parse(r["starts_at"]),
                ends_at=_parse(r["ends_at"]),
                skill=self.skills[r["skill"]],
                headcount=r["headcount"],
                min_clearance=r["min_clearance"],
            )

    def write_assignments(self) -> None:
        """Each assignment through ``assign_officer``; a finding the plan knowingly holds is kept as is."""
        derived = {
            (req.rule_id, req.post_id): req
            for req in Requirement.objects.filter(event=self.event, rule__isnull=False)
        }
        published: list[int] = []
        orphans: list[Requirement] = []
        for i, a in enumerate(self.data["assignments"]):
            self.path = f"$.assignments[{i}]"
            values: dict[str, Any] = {
                "post": self.posts[a["post"]],
                "officer": self.officers[a["officer"]],
                "starts_at": _parse(a["starts_at"]),
                "ends_at": _parse(a["ends_at"]),
                "skill": self.skills[a["skill"]],
            }
            values["requirement"] = self.requirement_of(a["requirement"], values, derived, orphans)
            made = self.assign(i, values)
            if a["status"] == Assignment.Status.PUBLISHED:
                published.append(made.pk)
        for requirement in orphans:
            self.path = "$.assignments"
            planning.delete_requirement(actor=self.actor, requirement=requirement)
        if published:
            assignment_services.publish_assignments(actor=self.actor, event=self.event, ids=published)

    def requirement_of(
        self,
        ref: dict[str, Any] | None,
        values: dict[str, Any],
        derived: dict[tuple[int | None, int], Requirement],
        orphans: list[Requirement],
    ) -> Requirement | None:
        """The requirement an assignment covers: a manual one, one a rule derived, or a stand-in."""
        if ref is None:
            return None
        if "manual" in ref:
            return self.manual[ref["manual"]]
        post = values["post"]
        if "programme_item" in ref:
            requirement = derived.get((self.rules[(ref["programme_item"], ref["rule"])].pk, post.pk))
            if requirement is None:
                raise Invalid(_("The rule does not produce a requirement at this post."), field="requirement")
            return requirement
        stand_in = planning.create_requirement(  # orphaned: a stand-in, removed once assigned
            actor=self.actor,
            event=self.event,
            post=post,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            skill=values["skill"],
        )
        orphans.append(stand_in)
        return stand_in

    def assign(self, i: int, values: dict[str, Any]) -> Any:
        if i in self.double_booked:
            return _assignment_as_is(self.actor, self.event, values)
        try:
            with transaction.atomic():
                return assignment_services.assign_officer(actor=self.actor, **values)
        except DomainError as exc:
            if exc.code not in KEPT_FINDINGS:
                raise
            made = _assignment_as_is(self.actor, self.event, values)
            self.report.problems.append(
                Problem(
                    _("Kept as in the file, the gap board shows it: %(reason)s"),
                    {"reason": str(exc)},
                    path=self.path,
                    warning=True,
                )
            )
            return made

    def write_rest_rules(self) -> None:
        if self.data["rest_rules"] is not None:
            self.path = "$.rest_rules"
            planning.set_rest_rules(actor=self.actor, event=self.event, **self.data["rest_rules"])

    def set_status(self, new_event_code: str | None) -> None:
        """A new event takes the file's status; an existing event keeps its own."""
        status = self.data["event"]["status"] if new_event_code else self.event.status
        self.path = "$.event.status"
        for step in ("active", "closed"):
            if self.event.status != status and (step == "active" or status == "closed"):
                self.event = event_services.change_event_status(
                    actor=self.actor, event=self.event, status=step
                )
