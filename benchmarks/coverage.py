"""Coverage engine benchmark at design scale (prints figures; not a test).

    .venv/bin/python benchmarks/coverage.py            # 20,000 officers, ~200,000 assignments
    .venv/bin/python benchmarks/coverage.py --small    # a tenth of that, runs in seconds
    .venv/bin/python benchmarks/coverage.py --postgres postgres://postgres@127.0.0.1:5432/bench_cov
        # also: load the plan into PostgreSQL and time the gap board page and the coverage API
        # (the database is dropped and re-created: its name must start with "bench"; --reuse keeps it)

The plan is generated deterministically from ``--seed``: 24/7 posts staffed in three 8-hour shifts
by rotating officers (nights: two off in five; half of the posts change guard every 4 hours),
programme requirements staffed from a reserve, and a sprinkling of planning mistakes (double
bookings, expiring skills, unavailable officers, orphans, gaps) so that every kind of finding shows.

With ``--postgres`` the same plan is written into a fresh event with bulk inserts: a benchmark
fixture, not a planner's work, so it bypasses the audited services (and the audit trail): one audit
entry is appended and the plan version bumped after the load (and on ``--reuse``) so that no live coverage
index of a former plan is served. Programme
requirements are written as ``derive_requirements`` would derive them from each item's rule, so
that re-deriving one changed item is a true incremental change.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from antt.planning import coverage_audit, coverage_input
from antt.planning.coverage import (
    Assignment,
    CoverageIndex,
    CoveragePlan,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
    Skill,
    Window,
    audit,
    minute_of,
)

ZONE = "Asia/Ho_Chi_Minh"
FIRST_DAY = date(2026, 11, 20)
ROLES = ("checkpoint", "traffic", "patrol", "close_protection", "eod", "k9", "medical")
ROLE_WEIGHTS = (40, 20, 15, 10, 5, 5, 5)
SHIFTS = ((6, 8), (14, 8), (22, 8))  # local start hour, length in hours


@dataclass(frozen=True)
class Scale:
    officers: int
    units: int
    posts: int
    sites: int
    programme: int
    days: int


FULL = Scale(officers=20_000, units=400, posts=2_000, sites=150, programme=1_000, days=10)
SMALL = Scale(officers=2_000, units=40, posts=200, sites=15, programme=100, days=10)


def local(day: int, hour: int = 0, minute: int = 0) -> int:
    moment = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), ZoneInfo(ZONE))
    return minute_of(moment) + hour * 60 + minute  # Viet Nam has no DST


def generate(scale: Scale, seed: int) -> CoveragePlan:
    """A deterministic plan of the given scale."""
    rng = random.Random(seed)
    days = scale.days
    n_permanent = scale.posts * 9 // 10  # 24/7 posts; the rest only serve programme items
    post_site = [post * scale.sites // scale.posts for post in range(scale.posts)]
    post_role = rng.choices(ROLES, ROLE_WEIGHTS, k=scale.posts)
    # headcounts sized so that the rotation uses ~90 % of the officers: day and evening teams are 5/4 of
    # their seats (one day off in five), night teams 5/3 (two nights off in five, so a day without duty)
    budget = scale.officers * 0.9 / (5 / 4 + 5 / 4 + 5 / 3)
    mean = budget / n_permanent
    headcount = [max(1, round(rng.gauss(mean, 0.8))) for _ in range(n_permanent)]
    requirements: list[Requirement] = []
    for post in range(n_permanent):
        clearance = 1 if post_role[post] in ("close_protection", "eod") else 0
        for day in range(days):
            requirements.append(
                Requirement(
                    len(requirements) + 1,
                    post,
                    post_site[post],
                    Window(local(day, 6), local(day + 1, 6)),
                    post_role[post],
                    headcount[post],
                    clearance,
                )
            )
    programme_posts = list(range(n_permanent, scale.posts))
    programme: list[Requirement] = []
    for item in range(scale.programme):
        post = rng.choice(programme_posts) if rng.random() < 0.8 else rng.randrange(n_permanent)
        day = rng.randrange(days)
        start = local(day, rng.randint(7, 18), rng.choice((0, 15, 30, 45))) - 60  # sweep starts an hour early
        length = rng.randint(2, 6) * 60 + 90
        programme.append(
            Requirement(
                len(requirements) + len(programme) + 1,
                post,
                post_site[post],
                Window(start, start + length),
                post_role[post],
                rng.randint(1, 4),
                rng.choice((0, 1, 2, 3)) if post_role[post] == "close_protection" else rng.choice((0, 0, 1)),
                rule_id=item + 1,
            )
        )
    requirements.extend(programme)

    officers: list[Officer] = []
    assignments: list[Assignment] = []

    def new_officer(role: str, clearance: int) -> int:
        officer_id = len(officers) + 1
        expires = None
        if rng.random() < 0.01:
            expires = FIRST_DAY + timedelta(days=rng.randrange(days))
        extra = tuple(Skill(code) for code in rng.sample(ROLES, 2) if code != role)
        availability = None
        if rng.random() < 0.005:  # away one day
            away = rng.randrange(days)
            availability = (Window(local(-1), local(away)), Window(local(away + 1), local(days + 2)))
        officers.append(
            Officer(
                officer_id,
                unit_id=(officer_id - 1) * scale.units // scale.officers,
                skills=(Skill(role, expires), *extra),
                clearance=clearance,
                availability=availability,
            )
        )
        return officer_id

    def add(officer_id: int, post: int, start: int, end: int, requirement_id: int | None) -> None:
        assignments.append(
            Assignment(
                len(assignments) + 1,
                officer_id,
                post,
                post_site[post],
                Window(start, end),
                post_role[post],
                rng.choice(("planned", "published")),
                requirement_id,
            )
        )

    # rotation: per (role, shift) a team; day/evening officer k is off when day % 5 == k % 5, night officer k
    # also the day after
    seats: dict[tuple[str, int], list[int]] = {}
    for post in range(n_permanent):
        for shift in range(len(SHIFTS)):
            seats.setdefault((post_role[post], shift), []).extend([post] * headcount[post])
    for (role, shift), posts in sorted(seats.items()):
        clearance_pool = (1, 2, 3) if role in ("close_protection", "eod") else (0, 0, 1, 2)
        nights = shift == len(SHIFTS) - 1
        size = len(posts) * 5 // 3 + 1 if nights else len(posts) * 5 // 4 + 1
        team = [new_officer(role, rng.choice(clearance_pool)) for _ in range(size)]
        hour, length = SHIFTS[shift]
        for day in range(days):
            off = {day % 5, (day - 1) % 5} if nights else {day % 5}
            on_duty = [officer for k, officer in enumerate(team) if k % 5 not in off]
            rng.shuffle(on_duty)
            for post, officer_id in zip(posts, on_duty, strict=False):
                start = local(day, hour)
                requirement_id = post * days + day + 1  # the 24/7 requirement of that post and day
                if post % 2:  # guard changes every 4 hours
                    add(officer_id, post, start, start + length * 30, requirement_id)
                    add(officer_id, post, start + length * 30, start + length * 60, requirement_id)
                else:
                    add(officer_id, post, start, start + length * 60, requirement_id)
    # reserve for programme items
    reserve: dict[str, list[int]] = {role: [] for role in ROLES}
    while len(officers) < scale.officers:
        role = rng.choices(ROLES, ROLE_WEIGHTS)[0]
        reserve[role].append(new_officer(role, rng.choice((0, 1, 2, 3))))
    free_from: dict[int, int] = {}
    for requirement in sorted(programme, key=lambda r: r.window.start):
        pool = reserve[requirement.role]
        day = (requirement.window.start - local(0)) // 1440
        ready = [
            officer_id
            for k, officer_id in enumerate(pool)
            if k % 5 != day % 5 and free_from.get(officer_id, 0) <= requirement.window.start
        ][: requirement.headcount]
        for officer_id in ready:
            add(
                officer_id,
                requirement.post_id,
                requirement.window.start,
                requirement.window.end,
                requirement.id,
            )
            free_from[officer_id] = requirement.window.end + 12 * 60
    # mistakes
    for _ in range(len(assignments) // 500):  # double bookings
        victim = rng.choice(assignments)
        other = rng.randrange(scale.posts)
        add(victim.officer_id, other, victim.window.start + 60, victim.window.end + 60, None)
    for _ in range(len(assignments) // 2_000):  # called back too early, and for too long
        victim = rng.choice(assignments)
        add(victim.officer_id, victim.post_id, victim.window.end + 240, victim.window.end + 600, None)
    for _ in range(max(1, len(assignments) // 20_000)):  # an officer deleted from the roster
        victim = rng.choice(assignments)
        assignments[victim.id - 1] = replace(victim, officer_id=10**9 + victim.id)
    for _ in range(max(1, len(assignments) // 4_000)):  # orphans: requirement deleted after staffing
        victim = assignments[rng.randrange(len(assignments))]
        assignments[victim.id - 1] = replace(victim, requirement_id=10**9 + victim.id)
    for _ in range(len(assignments) // 1_000):  # absences
        victim = assignments[rng.randrange(len(assignments))]
        assignments[victim.id - 1] = replace(victim, status="absent")
    venue_sites = sorted({post_site[post] for post in programme_posts})
    site_hours = tuple(
        SiteHours(site, tuple(Window(local(day, 5), local(day, 23)) for day in range(days)))
        for site in venue_sites[: len(venue_sites) // 2]
        if site not in {post_site[post] for post in range(n_permanent)}
    )
    return CoveragePlan(
        window=Window(local(0, 0), local(days, 6)),
        time_zone=ZONE,
        requirements=tuple(requirements),
        assignments=tuple(assignments),
        officers=tuple(officers),
        rest=RestRules(min_rest_minutes=8 * 60, max_duty_minutes_per_24h=12 * 60, max_consecutive_days=7),
        site_hours=site_hours,
    )


def changes(plan: CoveragePlan, seed: int, count: int) -> list[tuple[str, object]]:
    """``count`` deterministic single changes of each kind that a planner makes on the board."""
    rng = random.Random(seed + 1)
    out: list[tuple[str, object]] = []
    for _ in range(count):
        a = rng.choice(plan.assignments)
        shift = rng.choice((-60, -30, 30, 60))
        out.append(
            ("update_assignment", replace(a, window=Window(a.window.start + shift, a.window.end + shift)))
        )
    for _ in range(count):
        r = rng.choice(plan.requirements)
        out.append(("update_requirement", replace(r, headcount=r.headcount + 1)))
    for _ in range(count):
        o = rng.choice(plan.officers)
        out.append(("update_officer", replace(o, clearance=(o.clearance + 1) % 4)))
    return out


# --- PostgreSQL: the plan in a database, the gap board and the coverage API --------------------------------

EVENT_CODE = "bench-design"
POST_KINDS = ("fixed", "checkpoint", "patrol", "medical", "command", "reserve")


def configure_django(url: str, *, reuse: bool) -> None:
    """Point Django at ``url`` (drop and re-create the database unless ``reuse``) and migrate it."""
    from urllib.parse import urlparse, urlunparse

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(f"refusing to drop database {name!r}: the benchmark database's name must start with 'bench'")
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["ANTT_HTTPS"] = "0"
    os.environ["ANTT_DEBUG"] = "0"
    os.environ["ANTT_STATIC_MANIFEST"] = "0"
    os.environ["ANTT_LOG_LEVEL"] = "WARNING"
    os.environ["ANTT_DATABASE_URL"] = url
    os.environ["ANTT_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "antt.settings"
    import psycopg

    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}"')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"PostgreSQL database {name!r} migrated in {time.perf_counter() - started:.1f} s")


def _iso(minute: int) -> str:
    from antt.planning.coverage import datetime_of

    return datetime_of(minute).isoformat()


def _windows_json(windows: tuple[Window, ...]) -> list[dict[str, str]]:
    return [{"starts_at": _iso(w.start), "ends_at": _iso(w.end)} for w in windows]


def load_plan(plan: CoveragePlan, scale: Scale) -> dict[str, int]:
    """Write ``plan`` into a fresh event with bulk inserts (a fixture: no services, no audit entries)."""
    from django.db import transaction

    from antt.accounts.models import User
    from antt.core.permissions import Clearance, Role
    from antt.events.models import Event, Membership
    from antt.forces import models as forces
    from antt.planning import models as planning
    from antt.planning.coverage import datetime_of

    batch = 5_000
    with transaction.atomic():
        event = Event.objects.create(
            code=EVENT_CODE,
            name_vi="Hội nghị quy mô thiết kế (benchmark)",
            name_en="Design-scale summit (benchmark)",
            starts_at=datetime_of(plan.window.start),
            ends_at=datetime_of(plan.window.end),
            time_zone=plan.time_zone,
        )
        user, _ = User.objects.get_or_create(
            username="bench-planner", defaults={"full_name": "Bench Planner"}
        )
        Membership.objects.create(event=event, user=user, role=Role.PLANNER, clearance=Clearance.SECRET)
        skills = {
            code: forces.Skill.objects.create(event=event, code=code, name_vi=code, name_en=code)
            for code in ROLES
        }
        units = forces.Unit.objects.bulk_create(
            [
                forces.Unit(event=event, code=f"U{k:03d}", name_vi=f"Đơn vị {k}", name_en=f"Unit {k}")
                for k in range(scale.units)
            ]
        )
        officer_pk: dict[int, int] = {}
        rows = forces.Officer.objects.bulk_create(
            [
                forces.Officer(
                    event=event,
                    code=f"CB{o.id:05d}",
                    full_name=f"Cán bộ {o.id}",
                    unit=units[o.unit_id],
                    clearance=o.clearance,
                    availability=_windows_json(o.availability) if o.availability is not None else None,
                )
                for o in plan.officers
            ],
            batch_size=batch,
        )
        for o, row in zip(plan.officers, rows, strict=True):
            officer_pk[o.id] = row.pk
        forces.OfficerSkill.objects.bulk_create(
            [
                forces.OfficerSkill(officer_id=officer_pk[o.id], skill=skills[k.code], expires_on=k.expires)
                for o in plan.officers
                for k in o.skills
            ],
            batch_size=batch,
        )
        hours = {h.site_id: h.windows for h in plan.site_hours}
        n_sites = max(max(r.site_id for r in plan.requirements), max(a.site_id for a in plan.assignments)) + 1
        sites = planning.Site.objects.bulk_create(
            [
                planning.Site(
                    event=event,
                    code=f"S{k:03d}",
                    name_vi=f"Địa điểm {k}",
                    name_en=f"Site {k}",
                    opening_windows=_windows_json(hours[k]) if k in hours else None,
                )
                for k in range(n_sites)
            ]
        )
        post_site: dict[int, int] = {}
        for r in plan.requirements:
            post_site[r.post_id] = r.site_id
        for a in plan.assignments:
            post_site.setdefault(a.post_id, a.site_id)
        roles = {r.post_id: r.role for r in plan.requirements}
        for a in plan.assignments:
            roles.setdefault(a.post_id, a.role)
        n_posts = max(post_site) + 1
        posts = planning.Post.objects.bulk_create(
            [
                planning.Post(
                    event=event,
                    site=sites[post_site.get(k, 0)],
                    code=f"P{k:04d}",
                    name_vi=f"Chốt {k}",
                    name_en=f"Post {k}",
                    kind=POST_KINDS[k % len(POST_KINDS)],
                    default_skill=skills[roles.get(k, ROLES[0])],
                )
                for k in range(n_posts)
            ],
            batch_size=batch,
        )
        posts_at: dict[tuple[int, str], list[int]] = {}
        for k in range(n_posts):
            posts_at.setdefault((post_site.get(k, 0), POST_KINDS[k % len(POST_KINDS)]), []).append(k)
        # programme items: one per programme requirement of the plan, with one rule (lead 60 min) for the
        # kind of its post at its site; the rule's requirements are those derive_requirements would make
        items, stops, rules = [], [], []
        programme = [r for r in plan.requirements if r.rule_id is not None]
        for r in programme:
            item = planning.ProgrammeItem(
                event=event,
                code=f"PI{r.rule_id:04d}",
                name_vi=f"Hoạt động {r.rule_id}",
                name_en=f"Programme item {r.rule_id}",
                starts_at=datetime_of(r.window.start + 60),
                ends_at=datetime_of(r.window.end),
            )
            items.append(item)
        planning.ProgrammeItem.objects.bulk_create(items, batch_size=batch)
        for r, item in zip(programme, items, strict=True):
            stops.append(planning.ProgrammeItemSite(item=item, site=sites[r.site_id], position=0))
            rules.append(
                planning.RequirementRule(
                    event=event,
                    programme_item=item,
                    post_kind=POST_KINDS[r.post_id % len(POST_KINDS)],
                    skill=skills[r.role],
                    headcount=r.headcount,
                    min_clearance=r.min_clearance,
                    lead_minutes=60,
                    lag_minutes=0,
                )
            )
        planning.ProgrammeItemSite.objects.bulk_create(stops, batch_size=batch)
        planning.RequirementRule.objects.bulk_create(rules, batch_size=batch)
        requirement_rows: list[planning.Requirement] = []
        linked_row: dict[int, planning.Requirement] = {}  # plan requirement id -> the row assignments link to
        for r in plan.requirements:
            if r.rule_id is None:
                row = planning.Requirement(
                    event=event,
                    post=posts[r.post_id],
                    starts_at=datetime_of(r.window.start),
                    ends_at=datetime_of(r.window.end),
                    skill=skills[r.role],
                    headcount=r.headcount,
                    min_clearance=r.min_clearance,
                )
                requirement_rows.append(row)
                linked_row[r.id] = row
        for r, item, rule in zip(programme, items, rules, strict=True):
            for k in posts_at[(r.site_id, rule.post_kind)]:
                row = planning.Requirement(
                    event=event,
                    post=posts[k],
                    starts_at=datetime_of(r.window.start),
                    ends_at=datetime_of(r.window.end),
                    skill=skills[r.role],
                    headcount=r.headcount,
                    min_clearance=r.min_clearance,
                    rule=rule,
                    programme_item=item,
                )
                requirement_rows.append(row)
                if k == r.post_id:
                    linked_row[r.id] = row
        planning.Requirement.objects.bulk_create(requirement_rows, batch_size=batch)
        skipped = 0
        assignment_rows = []
        for a in plan.assignments:
            if a.officer_id not in officer_pk or a.status not in ("planned", "published"):
                skipped += 1  # the database cannot hold an unknown officer, nor a status it does not know
                continue
            linked = linked_row.get(a.requirement_id) if a.requirement_id is not None else None
            assignment_rows.append(
                planning.Assignment(
                    event=event,
                    officer_id=officer_pk[a.officer_id],
                    post=posts[a.post_id],
                    starts_at=datetime_of(a.window.start),
                    ends_at=datetime_of(a.window.end),
                    skill=skills[a.role],
                    status=a.status,
                    # an orphan keeps pointing at a requirement that does not exist (no FK constraint)
                    requirement_id=linked.pk if linked is not None else a.requirement_id,
                )
            )
        planning.Assignment.objects.bulk_create(assignment_rows, batch_size=batch)
        planning.RestRules.objects.create(
            event=event,
            min_rest_minutes=plan.rest.min_rest_minutes,
            max_duty_minutes_per_24h=plan.rest.max_duty_minutes_per_24h,
            max_consecutive_days=plan.rest.max_consecutive_days,
        )
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would soon gather them
        cursor.execute("ANALYZE")
    return {
        "officers": len(officer_pk),
        "posts": n_posts,
        "sites": n_sites,
        "programme items": len(items),
        "requirements": len(requirement_rows),
        "assignments": len(assignment_rows),
        "assignments left out": skipped,
    }


def mark_fixture_loaded(*, loaded: bool) -> str:
    """The bulk loader bypasses the audited services, so the plan version would not move: append one audit
    entry for the load (or for the reuse, in case the tables were changed by hand since) and bump the plan
    version as a whole-plan change, so that no live index of the former plan is served. Returns it."""
    from django.db import transaction

    from antt.accounts.models import User
    from antt.audit import services as audit
    from antt.events.models import Event
    from antt.planning import versions

    event = Event.objects.get(code=EVENT_CODE)
    with transaction.atomic():
        audit.record(
            actor=User.objects.get(username="bench-planner"),
            action="benchmark.load_fixture" if loaded else "benchmark.reuse_fixture",
            target=event,
            event=event,
        )
        versions.bump(event)  # written in bulk: the whole plan changed
    return str(versions.current(event))


def _median_ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.0f} ms, best {min(values) * 1000:7.0f} ms"


def measure_server(runs: int) -> None:
    """Server time (Django test client, median of ``runs``) and SQL queries of the gap board and the API."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antt.accounts.models import User
    from antt.core.testing import verified_client
    from antt.events.models import Event
    from antt.planning import coverage, live_coverage, services, versions
    from antt.planning.models import ProgrammeItem

    event = Event.objects.get(code=EVENT_CODE)
    user = User.objects.get(username="bench-planner")
    client = verified_client(user)

    def forget() -> None:
        """Drop this process's live index (the next read builds it: a worker's cold start)."""
        live_coverage.forget()

    loads, audits, together, cached = [], [], [], []
    for _ in range(runs):
        gc.collect()
        with coverage.collector_paused():  # as coverage_audit.coverage_for does, so the split adds up
            started = time.perf_counter()
            plan = coverage_input.coverage_plan(event)
            loaded = time.perf_counter()
            findings = coverage.audit(plan)
            del plan
        loads.append(loaded - started)
        audits.append(time.perf_counter() - loaded)
        gc.collect()
        forget()
        started = time.perf_counter()
        coverage_audit.coverage_for(event)  # cold: reads the plan and builds the live index
        together.append(time.perf_counter() - started)
        started = time.perf_counter()
        coverage_audit.coverage_for(event)  # a hit
        cached.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        coverage_input.coverage_plan(event)
    n_queries = len(captured)
    print(
        f"  coverage_plan (read the plan from PostgreSQL, {n_queries} queries): {_median_ms(loads)}\n"
        f"  audit of the loaded plan ({len(findings):,} findings):{' ' * 10}{_median_ms(audits)}\n"
        f"  coverage_for, cold (read the plan, build the live index):{' ' * 5}{_median_ms(together)}\n"
        f"  coverage_for, warm (plan version + this process's live index):{_median_ms(cached)}"
    )

    pages = [
        ("gap board page", f"/events/{EVENT_CODE}/gaps/", {}),
        ("gap board htmx partial", f"/events/{EVENT_CODE}/gaps/", {"HTTP_HX_REQUEST": "true"}),
        ("gap board, one day", f"/events/{EVENT_CODE}/gaps/?day={FIRST_DAY.isoformat()}", {}),
        ("coverage API", f"/api/v1/events/{EVENT_CODE}/coverage", {}),
    ]
    print(
        "  each page: cold = a worker's first request (live index dropped: read the plan and build it), "
        "warm = live index at the plan version\n  (the first request after a write: benchmarks/gapboard.py)"
    )
    for label, path, headers in pages:
        figures = []
        for name, drop in (("cold", forget), ("warm", None)):
            if drop is not None:
                drop()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, **headers)
            assert response.status_code == 200, (path, response.status_code)
            n_queries = len(captured)
            size = len(response.content)
            times = []
            for _ in range(runs):
                gc.collect()
                if drop is not None:
                    drop()
                started = time.perf_counter()
                client.get(path, **headers)
                times.append(time.perf_counter() - started)
            figures.append(f"{name} {_median_ms(times)}, {n_queries:>2} queries")
        print(f"  {label:<24} {size / 1024:,.0f} KiB\n    " + "\n    ".join(figures))

    item = ProgrammeItem.objects.filter(event=event).order_by("pk").first()
    assert item is not None
    derivations, after_change = [], []
    for k in range(runs * 2):
        item.refresh_from_db()
        shift = timedelta(minutes=30 if k % 2 == 0 else -30)
        started = time.perf_counter()
        services.update_programme_item(
            actor=user, item=item, starts_at=item.starts_at + shift, ends_at=item.ends_at + shift
        )
        derivations.append(time.perf_counter() - started)
        before = versions.current(event)
        started = time.perf_counter()
        client.get(pages[1][1], **pages[1][2])  # the board's next poll: the live index catches up
        after_change.append(time.perf_counter() - started)
        assert before == versions.current(event)
    print(
        f"  programme change + re-derivation (services.update_programme_item, audited, {item.rules.count()} rule, "
        f"{item.requirements.count()} requirements): {_median_ms(derivations)}\n"
        f"  gap board htmx partial right after that change (live index caught up): {_median_ms(after_change)}"
    )


def engine_part(plan: CoveragePlan, args: argparse.Namespace) -> None:
    """The pure-Python engine: full audit, memory, incremental re-checks."""
    runs: list[tuple[float, float]] = []  # (wall, cpu) seconds
    for _ in range(args.runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        findings = audit(plan)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(
        f"full audit (audit(plan): build the index, list the findings, free the index), {len(runs)} runs:\n"
        f"  wall best {min(walls):.3f} s / median {statistics.median(walls):.3f} s, "
        f"CPU best {min(cpus):.3f} s / median {statistics.median(cpus):.3f} s   (goal <= 1 s: "
        f"{'met' if min(walls) <= 1 else 'NOT met'})"
    )
    builds = []
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        index = CoverageIndex(plan)
        index.findings()
        builds.append(time.perf_counter() - started)
        del index
    print(f"  building the incremental index (kept for changes) + listing: best {min(builds):.3f} s")

    gc.collect()
    tracemalloc.start()
    audit(plan)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory of the full audit (tracemalloc, plan excluded): {peak / 2**20:.0f} MiB")

    print(f"findings: {len(findings):,}")
    for kind, count in sorted(Counter(f.kind.value for f in findings).items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<28}{count:>8,}")

    index = CoverageIndex(plan)
    timings: dict[str, list[float]] = {}
    full_collections: list[float] = []  # the cyclic GC's full passes walk the whole plan and index
    collection_started = [0.0]

    def watch_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collection_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            full_collections.append(time.perf_counter() - collection_started[0])

    gc.callbacks.append(watch_gc)
    for method, record in changes(plan, args.seed, args.changes):
        apply: Callable[[object], object] = getattr(index, method)
        started = time.perf_counter()
        apply(record)
        timings.setdefault(method, []).append(time.perf_counter() - started)
    # a programme item moves by 30 minutes: its derived requirement(s) change window (rule_id = the item)
    rng = random.Random(args.seed + 2)
    programme = [r for r in plan.requirements if r.rule_id is not None]
    for _ in range(args.changes):
        r = rng.choice(programme)
        moved = [
            replace(q, window=Window(q.window.start + 30, q.window.end + 30))
            for q in programme
            if q.rule_id == r.rule_id
        ]
        started = time.perf_counter()
        for q in moved:
            index.update_requirement(q)
        timings.setdefault("programme item moved", []).append(time.perf_counter() - started)
    gc.callbacks.remove(watch_gc)
    every = [t for values in timings.values() for t in values]
    print(
        f"incremental re-check, one change: median {statistics.median(every) * 1000:.2f} ms over {len(every)} changes"
        f"   (goal <= 10 ms: {'met' if statistics.median(every) <= 0.010 else 'NOT met'})"
    )
    for method, values in timings.items():
        print(
            f"  {method:<20} median {statistics.median(values) * 1000:6.2f} ms, "
            f"max {max(values) * 1000:6.2f} ms ({len(values)} changes)"
        )
    if full_collections:
        print(
            f"  (the maxima include {len(full_collections)} full garbage-collector pass(es) of "
            f"{max(full_collections) * 1000:.0f} ms over all live objects; gc.freeze() after the build avoids them)"
        )
    started = time.perf_counter()
    index.findings()
    print(f"  listing all findings after changes: {(time.perf_counter() - started) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="a tenth of the design scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--changes", type=int, default=100, help="changes of each kind to time")
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed full operation")
    parser.add_argument("--postgres", metavar="URL", help="also time the pages on this PostgreSQL database")
    parser.add_argument("--reuse", action="store_true", help="reuse the event already loaded there")
    parser.add_argument("--no-engine", action="store_true", help="skip the in-memory engine figures")
    args = parser.parse_args()
    scale = SMALL if args.small else FULL
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
        "(shared machine: timings are noisy)"
    )

    started = time.perf_counter()
    plan = generate(scale, args.seed)
    generated = time.perf_counter() - started
    active = sum(1 for a in plan.assignments if a.active)
    print(
        f"plan ({'small' if args.small else 'design'} scale, seed {args.seed}), generated in {generated:.1f} s:"
    )
    print(
        f"  {len(plan.officers):,} officers in {scale.units} units, {scale.posts:,} posts on {scale.sites} sites, "
        f"{scale.days} days"
    )
    print(
        f"  {len(plan.requirements):,} requirements ({scale.programme:,} from the programme), "
        f"{len(plan.assignments):,} assignments ({active:,} active)"
    )
    if not args.no_engine:
        engine_part(plan, args)
    if args.postgres:
        configure_django(args.postgres, reuse=args.reuse)
        from antt.events.models import Event

        if args.reuse and Event.objects.filter(code=EVENT_CODE).exists():
            print(f"reusing the loaded event {EVENT_CODE!r}")
            loaded = False
        else:
            started = time.perf_counter()
            counts = load_plan(plan, scale)
            print(
                f"benchmark fixture: the plan written into event {EVENT_CODE!r} with bulk inserts, not through the "
                f"audited services, in {time.perf_counter() - started:.1f} s:\n  "
                + ", ".join(f"{n:,} {what}" for what, n in counts.items())
            )
            loaded = True
        version = mark_fixture_loaded(loaded=loaded)
        print(
            f"  the bulk writes bypass the services, so one audit entry ({'load' if loaded else 'reuse'}) was "
            f"appended and the plan version bumped (now {version}): no index of a former plan can be served"
        )
        del plan
        gc.collect()
        print(
            f"server time on PostgreSQL (Django test client as a verified planner, {args.runs} runs; goal <= 300 ms):"
        )
        measure_server(args.runs)


if __name__ == "__main__":
    main()
