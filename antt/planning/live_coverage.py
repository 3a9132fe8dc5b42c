"""A live coverage index per event in each worker process, kept at the event's plan version.

The first request for an event in a process builds a :class:`coverage.CoverageIndex` of the whole plan
(the worker's cold start). Every later request reads the plan version (one indexed query,
:mod:`antt.planning.versions`); when it moved, the index catches up from the change log
(``events.PlanChange``): it re-reads only the assignments, requirements and officers named there and hands
them to the engine, which re-checks only what each change touches. A version that names the whole plan
(rest rules, opening hours, an import), a change log too long to be worth replaying
(:data:`MAX_CHANGES`), or a counter that is not the one the index was built from (a restored database)
rebuild it instead.

Every process catches up from the same database to the same version, and the engine's result after a change
is exactly that of a fresh audit of the changed plan, so all workers answer alike. Reads for one catch-up
(or one build) see one snapshot of the database — a REPEATABLE READ transaction on PostgreSQL, a deferred
read transaction on SQLite — so the index never mixes two versions.

One index per event (at most :data:`EVENTS` events per process, least recently used dropped); a lock per
event serialises its catch-up (the engine is not thread-safe), another its build: a request that arrives
while the index is being built (by the worker's warming at start, :mod:`antt.planning.warming`, or by an
earlier request) waits for that build and catches up from it, never building a second one; readers get a
:class:`Snapshot` whose findings list is their own.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from antt.planning import coverage, coverage_input, versions
from antt.planning.coverage_cache import Snapshot
from antt.planning.models import Assignment, Requirement, Site

logger = logging.getLogger(__name__)

#: A change log longer than this (rows since the index's version) is not replayed: the index is rebuilt.
MAX_CHANGES = 5_000
#: Events whose index a process keeps (each holds its whole plan in memory).
EVENTS = 2
#: From this many assignments, a new index is frozen out of the cyclic garbage collector's sight.
FREEZE_FROM = 20_000


@dataclass
class Stats:
    """What a process's live indexes did (for the benchmark and the tests)."""

    builds: int = 0
    catch_ups: int = 0
    changes_applied: int = 0
    last_build_seconds: float = 0.0
    last_catch_up_seconds: float = 0.0


@dataclass
class LiveIndex:
    """The index of one event's plan at ``version`` (with the counter's ``token``), its labels and sites."""

    event_id: int
    token: str
    version: int
    index: coverage.CoverageIndex
    site_of: dict[int, int]
    names: dict[tuple[str, int], tuple[str, str]]
    sites: list[tuple[int, str, str]]
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    snapshot: Snapshot | None = None
    size: int = 0  # assignments when built
    # what the snapshots' per_finding() computed, handed from one version to the next until labels change
    carry: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return f"{self.token}:{self.version}"

    def current_snapshot(self) -> Snapshot:
        if self.snapshot is None or self.snapshot.version != self.key:
            self.snapshot = Snapshot(
                event_id=self.event_id,
                version=self.key,
                findings=self.index.findings(),
                names=self.names,
                sites=self.sites,
                carry=self.carry,
            )
        return self.snapshot


_live: OrderedDict[int, LiveIndex] = OrderedDict()
_live_lock = threading.Lock()
stats = Stats()


def forget() -> None:
    """Drop every live index of this process (tests; a worker that wants its memory back)."""
    with _live_lock:
        _live.clear()


def held(event_id: int) -> LiveIndex | None:
    """The live index this process holds for the event, if any (tests and the benchmark)."""
    with _live_lock:
        return _live.get(event_id)


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query inside sees the same committed state of the database (a transaction of its own, unless
    the caller already holds one: then it is the caller's view)."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    # SQLite: Django's transactions are IMMEDIATE (they take the write lock); a read needs only a deferred one,
    # whose snapshot is fixed by its first read (WAL)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            cursor.execute("COMMIT")


def snapshot(event: Any) -> Snapshot | None:
    """The findings of the event's current plan version from this process's live index (built or caught up
    as needed); None when the event has no plan version yet (nothing to key an index on)."""
    token, version = versions.identity(event)
    if not token:
        return None
    with _live_lock:
        live = _live.get(event.pk)
        if live is not None:
            _live.move_to_end(event.pk)
    if live is not None and live.token == token:
        with live.lock:
            if live.version == version or catch_up(event, live):
                return live.current_snapshot()
    with _building_lock(event.pk):
        # a request that waited here while another thread (the worker's warming, an earlier request) built
        # the index takes that one, caught up to this version, instead of building a second
        with _live_lock:
            live = _live.get(event.pk)
        if live is not None and live.token == token:
            with live.lock:
                if live.version == version or catch_up(event, live):
                    return live.current_snapshot()
        live = _install(event)
    with live.lock:
        return live.current_snapshot()


_building: dict[int, threading.Lock] = {}


def _building_lock(event_id: int) -> threading.Lock:
    """The lock a thread holds while it builds the event's index: one build per event at a time."""
    with _live_lock:
        return _building.setdefault(event_id, threading.Lock())


def _install(event: Any) -> LiveIndex:
    live = build(event)
    # The index is millions of long-lived objects with no reference cycles: move them out of the cyclic
    # collector's sight, or every full collection (triggered by ordinary requests) rescans all of them
    # (seconds at design scale). An index dropped later is still freed by reference counting.
    if live.size >= FREEZE_FROM:
        gc.collect()
        gc.freeze()
    stats.builds += 1
    with _live_lock:
        _live[event.pk] = live
        _live.move_to_end(event.pk)
        while len(_live) > EVENTS:
            _live.popitem(last=False)
    return live


def build(event: Any) -> LiveIndex:
    """A live index of the event's whole plan at its current version (the cold start)."""
    from antt.planning import coverage_audit

    started = time.perf_counter()
    with one_snapshot():
        token, version = versions.identity(event)
        site_of = dict(coverage_input.post_sites(event))
        plan = coverage_input.coverage_plan(event)
        index = coverage.CoverageIndex(plan)
        size = len(plan.assignments)
        del plan
        sites = _sites(event)
        names = coverage_audit.names_of(event, coverage_audit.wanted_names(index.findings()), sites)
    live = LiveIndex(
        event_id=event.pk,
        token=token,
        version=version,
        index=index,
        site_of=site_of,
        names=names,
        sites=sites,
        size=size,
    )
    stats.last_build_seconds = time.perf_counter() - started
    return live


def _sites(event: Any) -> list[tuple[int, str, str]]:
    return list(
        Site.objects.filter(event=event).order_by("code", "pk").values_list("pk", "name_vi", "name_en")
    )


def catch_up(event: Any, live: LiveIndex) -> bool:
    """Replay the changes after the index's version; False when it must be rebuilt instead."""
    from antt.planning import coverage_audit

    started = time.perf_counter()
    with one_snapshot():
        token, version = versions.identity(event)
        if token != live.token or version < live.version:
            return False
        if version == live.version:
            return True
        if versions.count_since(event, live.version, version) > MAX_CHANGES:
            return False
        wanted: dict[str, set[int]] = {kind: set() for kind in versions.KINDS}
        for _version, kind, object_id in versions.changes_since(event, live.version, version):
            if kind not in wanted or kind == versions.EVERYTHING:
                return False
            wanted[kind].add(object_id)
        index = live.index
        added: list[coverage.Finding] = []
        with coverage.collector_paused():
            if wanted[versions.POST]:
                for pk, site_id in coverage_input.post_sites(event).items():
                    if live.site_of.get(pk, site_id) != site_id:
                        return False  # a post moved to another site: its requirements' sites changed
                    live.site_of[pk] = site_id
            if wanted[versions.OFFICER]:
                found = {o.id: o for o in coverage_input.engine_officer_rows(event, wanted[versions.OFFICER])}
                for pk in sorted(wanted[versions.OFFICER]):
                    added += _apply(index, "officer", pk, found.get(pk))
            shared: dict[tuple[int, int], coverage.Window] = {}
            if wanted[versions.REQUIREMENT]:
                rows = Requirement.objects.filter(event=event, pk__in=sorted(wanted[versions.REQUIREMENT]))
                found_r = {
                    r.id: r for r in coverage_input.engine_requirement_rows(rows, live.site_of, shared)
                }
                for pk in sorted(wanted[versions.REQUIREMENT]):
                    added += _apply(index, "requirement", pk, found_r.get(pk))
            if wanted[versions.ASSIGNMENT]:
                rows_a = Assignment.objects.filter(event=event, pk__in=sorted(wanted[versions.ASSIGNMENT]))
                found_a = {
                    a.id: a for a in coverage_input.engine_assignment_rows(rows_a, live.site_of, shared)
                }
                for pk in sorted(wanted[versions.ASSIGNMENT]):
                    added += _apply(index, "assignment", pk, found_a.get(pk))
        if wanted[versions.SITE]:
            live.sites = _sites(event)
        if wanted[versions.POST] or wanted[versions.SITE] or wanted[versions.OFFICER]:
            live.carry = {}  # a post, site or officer may have been renamed: what was carried may name it
        # labels: those of the objects that changed (renamed) and any the new findings name for the first time
        relabel = {
            "post": wanted[versions.POST],
            "site": wanted[versions.SITE],
            "officer": wanted[versions.OFFICER],
        }
        need = coverage_audit.wanted_names(added)
        for kind, ids in need.items():
            ids.difference_update(pk for pk in list(ids) if (kind, pk) in live.names)
            ids.update(pk for pk in relabel.get(kind, ()) if (kind, pk) in live.names)
        if any(need.values()):
            fresh = coverage_audit.names_of(event, need, live.sites)
            live.names = {**live.names, **fresh}
        live.version = version
    stats.catch_ups += 1
    stats.changes_applied += sum(len(ids) for ids in wanted.values())
    stats.last_catch_up_seconds = time.perf_counter() - started
    return True


def _apply(index: coverage.CoverageIndex, kind: str, pk: int, record: Any) -> list[coverage.Finding]:
    """Put ``record`` (None: the row is gone) into the index in place of what it holds under ``pk``;
    return the findings that appeared."""
    if kind == "officer":
        held_now: Any = index.officer(pk)
        add, update, remove = index.add_officer, index.update_officer, index.remove_officer
    elif kind == "requirement":
        held_now = index.requirement(pk)
        add, update, remove = index.add_requirement, index.update_requirement, index.remove_requirement  # type: ignore[assignment]
    else:
        held_now = index.assignment(pk)
        add, update, remove = index.add_assignment, index.update_assignment, index.remove_assignment  # type: ignore[assignment]
    if record is None:
        delta = remove(pk) if held_now is not None else None
    elif held_now is None:
        delta = add(record)
    elif held_now == record:
        return []
    else:
        delta = update(record)
    return list(delta.added) if delta is not None else []
