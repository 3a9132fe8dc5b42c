"""Assignment editor benchmark: the per-assignment check, the candidate list and the officer page (prints
figures; not a test). Runs on the database the environment names (``ANTT_SQLITE_PATH`` / ``ANTT_DATABASE_URL``).

    ANTT_DEMO=1 ANTT_SQLITE_PATH=/tmp/x.sqlite3 .venv/bin/antt demo --no-serve     # the demo summit
    ANTT_SQLITE_PATH=/tmp/x.sqlite3 .venv/bin/python benchmarks/editor.py --event demo-summit
    ANTT_SQLITE_PATH=/tmp/x.sqlite3 .venv/bin/python benchmarks/editor.py --event demo-summit --grow 3000
        # first adds 3,000 officers holding the busiest requirement's skill, each with duties across the
        # event (bulk inserts, no audit: a fixture), then times the same on the larger event
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, os.environ.get("ANTT_BENCH_CODE") or str(Path(__file__).resolve().parent.parent))


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def grow(event: Any, n: int, rng: random.Random) -> None:
    from antt.forces.models import Officer, OfficerSkill
    from antt.planning.models import Assignment, Post, Requirement

    requirement = Requirement.objects.filter(event=event).order_by("-headcount", "pk").first()
    unit_ids = list(event.units.values_list("pk", flat=True))
    posts = list(Post.objects.filter(event=event).values_list("pk", flat=True))
    made = Officer.objects.bulk_create(
        Officer(
            event=event,
            code=f"BIG{i:05d}",
            full_name=f"Officer {i}",
            unit_id=rng.choice(unit_ids),
            clearance=rng.randint(0, 3),
        )
        for i in range(n)
    )
    OfficerSkill.objects.bulk_create(OfficerSkill(officer=o, skill_id=requirement.skill_id) for o in made)
    days = (event.ends_at - event.starts_at).days or 1
    duties = []
    for o in made:
        for d in rng.sample(range(days), min(days, 6)):
            start = event.starts_at + timedelta(days=d, hours=rng.choice([0, 8, 16]))
            duties.append(
                Assignment(
                    event=event,
                    officer=o,
                    post_id=rng.choice(posts),
                    skill_id=requirement.skill_id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=8),
                )
            )
    Assignment.objects.bulk_create(duties, batch_size=2000)
    print(f"grown: +{n} officers, +{len(duties)} assignments")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--event", default="demo-summit")
    parser.add_argument("--grow", type=int, default=0)
    parser.add_argument("--checks", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import translation

    from antt.events.models import Event
    from antt.planning import assignability, browse, candidates, coverage, coverage_input
    from antt.planning.models import Assignment, Requirement

    translation.activate("en")
    rng = random.Random(1)
    event = Event.objects.get(code=args.event)
    if args.grow:
        grow(event, args.grow, rng)
    print(f"code: {assignability.__file__}")
    print(
        f"event {event.code}: {event.officers.count()} officers, {Assignment.objects.filter(event=event).count()} assignments"
    )
    duties = list(
        Assignment.objects.filter(event=event).select_related("post__site", "skill", "officer").order_by("pk")
    )
    sample = rng.sample(duties, min(args.checks, len(duties)))
    t = time.perf_counter()
    for duty in sample:
        assignability.check(
            event,
            assignability.proposal_of(duty),
            site=duty.post.site,
            before=assignability.proposal_of(duty),
        )
    print(f"assignability.check: {(time.perf_counter() - t) / len(sample) * 1000:.1f} ms per call")
    if hasattr(assignability, "refusals"):
        t = time.perf_counter()
        for duty in sample:
            assignability.refusals(
                event, assignability.proposal_of(duty), before=assignability.proposal_of(duty)
            )
        print(
            f"assignability.refusals (what assign_officer runs now): {(time.perf_counter() - t) / len(sample) * 1000:.1f} ms per call"
        )
    requirement = (
        Requirement.objects.filter(event=event)
        .select_related("post__site", "skill")
        .annotate(n=Count("skill__holders"))
        .order_by("-n", "pk")
        .first()
    )
    took, found = timed(lambda: candidates.candidates(event, requirement), 3)
    print(f"candidates for requirement {requirement.pk} ({found.pool} holders): {took * 1000:.0f} ms")
    t = time.perf_counter()
    full = coverage.audit(coverage_input.coverage_plan(event))
    print(f"full audit (uncached): {(time.perf_counter() - t) * 1000:.0f} ms, {len(full)} findings")
    user = get_user_model().objects.filter(is_superuser=True).first()
    busiest = max(duties, key=lambda d: d.officer_id).officer  # any officer with duties
    from django.core.cache import caches

    def page() -> Any:
        for cache in caches.all():
            cache.clear()  # the full audit's cache (when there is one) must not hide the cost
        return browse.officer_page(user, event, busiest.pk, lang="en")

    took, _ = timed(page, 3)
    print(f"officer page data (cache cleared): {took * 1000:.0f} ms")
    site = duties[0].post.site
    took, _ = timed(
        lambda: [c.clear() for c in caches.all()] and browse.site_page(user, event, site.pk, lang="en"), 3
    )
    print(f"site page data (cache cleared): {took * 1000:.0f} ms")


if __name__ == "__main__":
    main()
