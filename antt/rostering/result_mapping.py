"""The solver's result mapped back onto the plan: the proposed changes (per officer, with readable reasons
for what stays uncovered), the plan after them and the figures shown before and after a run."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Any

from antt import solver
from antt.forces.models import Officer
from antt.planning import coverage
from antt.planning.models import Post
from antt.rostering.mapping import VIOLATION_KINDS, Mapping
from antt.solver.explain import explain_uncovered
from antt.solver.rules import build_duties

# --- the result → proposed changes ---------------------------------------------------------------------


_POST_ID = re.compile(r"\bp(\d+)s?\b")
_OFFICER_ID = re.compile(r"\bo(\d+)\b")


def _readable(text: str, posts: dict[int, str], officers: dict[int, str]) -> str:
    text = _POST_ID.sub(lambda m: posts.get(int(m.group(1)), m.group(0)), text)
    return _OFFICER_ID.sub(lambda m: officers.get(int(m.group(1)), m.group(0)), text)


def uncovered_without_solver(mapping: Mapping) -> tuple[solver.Uncovered, ...]:
    """Reasons for every demand when the solver has nobody to try (no officer holds the skill)."""
    problem = mapping.problem
    duties = [d for d in build_duties(problem) if d.demand in mapping.demands]
    return tuple(explain_uncovered(problem, duties, [], None))


def result_to_changes(mapping: Mapping, result: solver.RosterResult) -> dict[str, Any]:
    """The proposed diff (per officer: kept count, moved / added / removed) and the unfilled gaps."""
    event, clock = mapping.event, mapping.clock
    post_labels = {pk: f"{code}" for pk, code in Post.objects.filter(event=event).values_list("pk", "code")}
    added_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    requirements = {r.id: r for r in mapping.plan.requirements}
    for item in result.assignments:
        info = mapping.demands.get(item.demand)
        if info is None:
            continue  # a kept (pinned) duty
        officer_id = mapping.officer_ids[item.officer]
        start, end = clock.moment(item.start), clock.moment(item.end)
        utc = coverage.Window.of(start, end)
        best = max(
            info.requirement_ids,
            key=lambda pk: (
                min(utc.end, requirements[pk].window.end) - max(utc.start, requirements[pk].window.start)
            ),
            default=None,
        )
        added_by[officer_id].append(
            {
                "post_id": info.post_id,
                "post": post_labels.get(info.post_id, f"#{info.post_id}"),
                "skill": info.skill_code,
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "requirement_id": best,
            }
        )
    removed_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    statuses = {a.id: a.status for a in mapping.plan.assignments}
    for a, reason in mapping.removed:
        removed_by[a.officer_id].append(
            {
                "assignment_id": a.id,
                "post_id": a.post_id,
                "post": post_labels.get(a.post_id, f"#{a.post_id}"),
                "skill": a.role,
                "starts_at": coverage.datetime_of(a.window.start, clock.tz).isoformat(),
                "ends_at": coverage.datetime_of(a.window.end, clock.tz).isoformat(),
                "status": statuses.get(a.id, ""),
                "reason": reason,
            }
        )
    kept_count: dict[int, int] = defaultdict(int)
    for a in mapping.kept:
        kept_count[a.officer_id] += 1
    people = {
        pk: (f"{rank} {name}".strip(), code)
        for pk, rank, name, code in Officer.objects.filter(
            event=event, pk__in=set(added_by) | set(removed_by)
        ).values_list("pk", "rank", "full_name", "code")
    }
    officers = []
    totals = {"kept": len(mapping.kept), "moved": 0, "added": 0, "removed": 0}
    for officer_id in sorted(set(added_by) | set(removed_by), key=lambda pk: people.get(pk, ("", ""))[1]):
        added = sorted(added_by.get(officer_id, []), key=lambda x: x["starts_at"])
        removed = sorted(removed_by.get(officer_id, []), key=lambda x: x["starts_at"])
        pairs = min(len(added), len(removed))
        entry = {
            "officer_id": officer_id,
            "name": people.get(officer_id, ("", ""))[0],
            "code": people.get(officer_id, ("", ""))[1],
            "kept": kept_count.get(officer_id, 0),
            "moved": [{"from": removed[i], "to": added[i]} for i in range(pairs)],
            "added": added[pairs:],
            "removed": removed[pairs:],
        }
        totals["moved"] += pairs
        totals["added"] += len(added) - pairs
        totals["removed"] += len(removed) - pairs
        officers.append(entry)
    officer_names = dict(Officer.objects.filter(event=event).values_list("pk", "code"))
    uncovered = (
        result.uncovered
        if result.status is not solver.SolveStatus.EMPTY
        else uncovered_without_solver(mapping)
    )
    gaps = []
    for gap in uncovered:
        info = mapping.demands.get(gap.demand)
        if info is None:
            continue
        gaps.append(
            {
                "post_id": info.post_id,
                "post": post_labels.get(info.post_id, f"#{info.post_id}"),
                "skill": info.skill_code,
                "starts_at": clock.moment(gap.start).isoformat(),
                "ends_at": clock.moment(gap.end).isoformat(),
                "missing": gap.missing,
                "code": gap.reason.code,
                "reason_vi": _readable(gap.reason.text("vi"), post_labels, officer_names),
                "reason_en": _readable(gap.reason.text("en"), post_labels, officer_names),
            }
        )
    return {"officers": officers, "totals": totals, "gaps": gaps}


def plan_after(mapping: Mapping, changes: dict[str, Any]) -> coverage.CoveragePlan:
    """The coverage plan as it would be after applying ``changes`` (new assignments get negative ids)."""
    post_sites = dict(Post.objects.filter(event=mapping.event).values_list("pk", "site_id"))
    removed = {a.id for a, _r in mapping.removed}
    assignments = [a for a in mapping.plan.assignments if a.id not in removed]
    next_id = -1
    for entry in changes["officers"]:
        for item in [*entry["added"], *(pair["to"] for pair in entry["moved"])]:
            assignments.append(
                coverage.Assignment(
                    id=next_id,
                    officer_id=entry["officer_id"],
                    post_id=item["post_id"],
                    site_id=post_sites.get(item["post_id"], 0),
                    window=coverage.Window.of(
                        datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"])
                    ),
                    role=item["skill"],
                    status="planned",
                    requirement_id=item["requirement_id"],
                )
            )
            next_id -= 1
    return replace(mapping.plan, assignments=tuple(assignments))


def figures(plan: coverage.CoveragePlan) -> dict[str, Any]:
    """Coverage (covered share of required slot-minutes), gap count and rule violations of a plan."""
    findings = coverage.audit(plan)
    demand = sum(r.window.minutes * r.headcount for r in plan.requirements)
    uncovered = sum(f.window.minutes * f.number("shortfall") for f in findings if str(f.kind) == "uncovered")
    violations: dict[str, int] = defaultdict(int)
    for f in findings:
        if str(f.kind) in VIOLATION_KINDS:
            violations[str(f.kind)] += 1
    return {
        "demand_minutes": demand,
        "uncovered_minutes": uncovered,
        "coverage": 1.0 if not demand else round(1 - uncovered / demand, 6),
        "gaps": sum(1 for f in findings if str(f.kind) == "uncovered"),
        "violations": sum(violations.values()),
        "violations_by_kind": dict(sorted(violations.items())),
    }
