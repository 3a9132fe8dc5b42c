"""Coverage engine benchmark at design scale (prints figures; not a test).

    .venv/bin/python benchmarks/coverage.py            # 20,000 officers, ~200,000 assignments
    .venv/bin/python benchmarks/coverage.py --small    # a tenth of that, runs in seconds

The plan is generated deterministically from ``--seed``: 24/7 posts staffed in three 8-hour shifts
by rotating officers (nights: two off in five; half of the posts change guard every 4 hours),
programme requirements staffed from a reserve, and a sprinkling of planning mistakes (double
bookings, expiring skills, unavailable officers, orphans, gaps) so that every kind of finding shows.
"""

from __future__ import annotations

import argparse
import gc
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="a tenth of the design scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--changes", type=int, default=100, help="changes of each kind to time")
    args = parser.parse_args()
    scale = SMALL if args.small else FULL

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

    runs: list[tuple[float, float]] = []  # (wall, cpu) seconds
    for _ in range(5):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        index = CoverageIndex(plan)
        findings = index.findings()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(
        f"full audit (build the index + list the findings), {len(runs)} runs: "
        f"wall best {min(walls):.3f} s / median {statistics.median(walls):.3f} s, "
        f"CPU best {min(cpus):.3f} s / median {statistics.median(cpus):.3f} s"
    )

    del index
    gc.collect()
    tracemalloc.start()
    traced = CoverageIndex(plan)
    traced.findings()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    print(f"peak memory of the full audit (tracemalloc, plan excluded): {peak / 2**20:.0f} MiB")

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
    gc.callbacks.remove(watch_gc)
    every = [t for values in timings.values() for t in values]
    print(
        f"incremental re-check, one change: median {statistics.median(every) * 1000:.2f} ms over {len(every)} changes"
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


if __name__ == "__main__":
    main()
