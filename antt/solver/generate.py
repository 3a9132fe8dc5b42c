"""Synthetic events for benchmarks and tests (deterministic for a seed)."""

from __future__ import annotations

import random

from antt.solver.model import (
    DAY,
    DEFAULT_PATTERNS,
    Demand,
    Officer,
    Post,
    RosterProblem,
    Rules,
    Site,
    SkillGrant,
)

__all__ = ["generate_event"]

_SKILLS = (
    ("checkpoint", 0.70),
    ("traffic", 0.35),
    ("close_protection", 0.15),
    ("medical", 0.08),
    ("k9", 0.012),
    ("eod", 0.003),
)
_POST_SKILL = (
    ("checkpoint", 0.62),
    ("traffic", 0.22),
    ("close_protection", 0.1),
    ("medical", 0.04),
    ("k9", 0.015),
    ("eod", 0.005),
)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(weight for _, weight in table)
    for name, weight in table:
        roll -= weight
        if roll <= 0:
            return name
    return table[-1][0]


def generate_event(
    officers: int,
    posts: int,
    days: int,
    *,
    seed: int = 1,
    posts_per_site: int = 13,
    sites_per_cluster: int = 10,
) -> RosterProblem:
    """An event with ``officers`` officers, ``posts`` posts over ``days`` days.

    Posts sit on sites, sites in clusters; officers have home sites in proportion to demand.
    About 70 % of posts are staffed round the clock (06-14, 14-22, 22-06), the rest 06-22;
    headcounts 1-3; skills are checkpoint, traffic, close protection, medical, K9 and EOD (rare);
    a few officers are absent for a while or have required days off.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    site_count = max(1, posts // posts_per_site)
    sites = tuple(Site(f"S{i:04d}", f"C{i // sites_per_cluster:03d}") for i in range(site_count))
    post_list: list[Post] = []
    demands: list[Demand] = []
    site_load = [0] * site_count
    for p in range(posts):
        site = p % site_count
        post = Post(f"P{p:05d}", sites[site].id, DEFAULT_PATTERNS)
        post_list.append(post)
        skill = _pick(rng, _POST_SKILL)
        headcount = rng.choice((1, 2, 2, 3))
        round_clock = rng.random() < 0.7
        clearance = 2 if skill == "close_protection" else (1 if rng.random() < 0.1 else 0)
        protection = 3 if skill == "close_protection" else rng.choice((1, 1, 2))
        if round_clock:
            demands.append(
                Demand(
                    f"D{p:05d}", post.id, 6 * 60, days * DAY - 2 * 60, skill, headcount, clearance, protection
                )
            )
        else:
            for day in range(days):
                demands.append(
                    Demand(
                        f"D{p:05d}-{day}",
                        post.id,
                        day * DAY + 6 * 60,
                        day * DAY + 22 * 60,
                        skill,
                        headcount,
                        clearance,
                        protection,
                    )
                )
        site_load[site] += headcount * (3 if round_clock else 2)
    total_load = sum(site_load) or 1
    homes: list[int] = []
    for site, load in enumerate(site_load):
        homes.extend([site] * round(officers * load / total_load))
    while len(homes) < officers:
        homes.append(rng.randrange(site_count))
    homes = homes[:officers]
    rng.shuffle(homes)
    officer_list: list[Officer] = []
    for o in range(officers):
        skills = [name for name, share in _SKILLS if rng.random() < share] or ["checkpoint"]
        grants = []
        for name in skills:
            until = None
            if days > 1 and rng.random() < 0.01:
                until = rng.randrange(1, days) * DAY
            grants.append(SkillGrant(name, None, until))
        clearance = rng.choice((2, 2, 3)) if "close_protection" in skills else rng.choice((0, 0, 0, 1, 1, 2))
        unavailable: tuple[tuple[int, int], ...] = ()
        if rng.random() < 0.02:
            begin = rng.randrange(0, days * DAY)
            unavailable = ((begin, begin + rng.choice((8, 24, 48)) * 60),)
        days_off = frozenset({rng.randrange(days)}) if rng.random() < 0.05 else frozenset()
        requests = frozenset({rng.randrange(days)}) if rng.random() < 0.05 else frozenset()
        officer_list.append(
            Officer(
                id=f"O{o:06d}",
                skills=tuple(grants),
                clearance=clearance,
                unit=f"U{homes[o] // 4:03d}",
                home_site=sites[homes[o]].id,
                unavailable=unavailable,
                days_off=days_off,
                day_off_requests=requests,
            )
        )
    return RosterProblem(
        officers=tuple(officer_list),
        posts=tuple(post_list),
        demands=tuple(demands),
        sites=sites,
        rules=Rules(max_minutes_total=days * 10 * 60),
    )
