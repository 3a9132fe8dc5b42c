"""The plan version of an event: ``current(event)`` and ``bump(event, …)``.

A counter per event (``PlanRevision``) that every service changing what the coverage audit reads moves on
inside its own transaction — assignments, requirements (by hand or derived from the programme), rules,
posts, sites, officers and their skills, rest rules, the event's window and zone, imports and the solver's
*apply*. It is not the head of the audit chain: exports, solver runs, check-ins, incidents and sign-ins
append audit entries but do not move it, so they do not invalidate the plan's findings.

Each bump also writes what it changed (``PlanChange``: kind and object id) so that a live coverage index
in any worker process can catch up from the version it holds by re-reading only those rows
(``antt.planning.live_coverage``). The row lock of the counter orders the bumps: version *v* is visible
only once every version before it is, so "the changes after *v*" is always complete.

Usage, inside the service's transaction (after the write, like ``audit.record``)::

    plan_versions.bump(event, assignments=[assignment.pk])      # what changed, by kind
    plan_versions.bump(event)                                   # the whole plan (imports, rest rules)
    plan_versions.current(event)                                # 0 before the first bump

Planning and the apps above it use the same functions as ``antt.planning.versions``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from antt.events.models import PlanChange, PlanRevision

ASSIGNMENT = "assignment"
REQUIREMENT = "requirement"
OFFICER = "officer"
POST = "post"
SITE = "site"
EVERYTHING = "all"
KINDS = (ASSIGNMENT, REQUIREMENT, OFFICER, POST, SITE, EVERYTHING)

#: More changed objects than this in one bump are written as "everything" (a rebuild costs less then).
MAX_OBJECTS = 2_000


def _event_id(event: Any) -> int:
    return int(getattr(event, "pk", event))


def current(event: Any) -> int:
    """The event's plan version (``event`` or its id): one indexed query; 0 before the first bump."""
    return identity(event)[1]


def identity(event: Any) -> tuple[str, int]:
    """``(token, version)`` of the event's counter (one indexed query); ``("", 0)`` before the first bump.
    The token tells a counter from another one that was re-created with the same numbers."""
    table = PlanRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token, version FROM {table} WHERE event_id = %s", [_event_id(event)])  # noqa: S608
        row = cursor.fetchone()
    return (str(row[0]), int(row[1])) if row else ("", 0)


def bump(
    event: Any,
    *,
    assignments: Iterable[int] = (),
    requirements: Iterable[int] = (),
    officers: Iterable[int] = (),
    posts: Iterable[int] = (),
    sites: Iterable[int] = (),
    everything: bool | None = None,
) -> int:
    """Move the event's plan version on, in the caller's transaction, and record what changed; return the
    new version. With no objects named (or ``everything=True``) the whole plan counts as changed."""
    event_id = _event_id(event)
    named = [
        (kind, int(pk))
        for kind, ids in (
            (ASSIGNMENT, assignments),
            (REQUIREMENT, requirements),
            (OFFICER, officers),
            (POST, posts),
            (SITE, sites),
        )
        for pk in sorted(set(ids))
    ]
    if everything is None:
        everything = not named
    if everything or len(named) > MAX_OBJECTS:
        named = [(EVERYTHING, 0)]
    table = PlanRevision._meta.db_table
    sql = f"UPDATE {table} SET version = version + 1 WHERE event_id = %s RETURNING version"  # noqa: S608
    # no savepoint: the bump belongs to the caller's transaction and commits (or not) with its change
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [event_id])
        row = cursor.fetchone()
        if row is None:
            first = PlanRevision(event_id=event_id, version=0, token=secrets.token_hex(16))
            PlanRevision.objects.bulk_create([first], ignore_conflicts=True)
            cursor.execute(sql, [event_id])
            row = cursor.fetchone()
        version = int(row[0])
        PlanChange.objects.bulk_create(
            [PlanChange(event_id=event_id, version=version, kind=kind, object_id=pk) for kind, pk in named]
        )
    return version


def changes_since(event: Any, version: int, upto: int) -> list[tuple[int, str, int]]:
    """``(version, kind, object id)`` of every change after ``version`` up to ``upto``, in version order."""
    return list(
        PlanChange.objects.filter(event_id=_event_id(event), version__gt=version, version__lte=upto)
        .order_by("version", "pk")
        .values_list("version", "kind", "object_id")
    )


def count_since(event: Any, version: int, upto: int) -> int:
    """How many change rows lie after ``version`` up to ``upto`` (to decide: catch up or rebuild)."""
    return PlanChange.objects.filter(
        event_id=_event_id(event), version__gt=version, version__lte=upto
    ).count()
