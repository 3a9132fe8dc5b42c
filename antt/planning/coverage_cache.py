"""What the gap board and the coverage API read about one version of an event's plan (:class:`Snapshot`).

Snapshots come from the live coverage index each worker process keeps at the event's plan version
(:mod:`antt.planning.live_coverage`, keyed on :mod:`antt.planning.versions`); a request inside a service's
transaction, or for an event without a plan version (fixtures, factories), computes its own uncached one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from antt.planning import coverage


@dataclass
class Snapshot:
    """What the board and the API need about one version of an event's plan.

    ``names`` maps ``(object type, id)`` to its label in Vietnamese and English for every post, site and
    officer a finding's sentence names; ``sites`` is every site of the event as ``(id, name_vi, name_en)``
    in code order (the board's filter and groups).
    """

    event_id: int
    version: str  # "<counter token>:<plan version>"; "" when computed outside a live index
    findings: list[coverage.Finding]
    names: dict[tuple[str, int], tuple[str, str]] | None = None
    sites: list[tuple[int, str, str]] | None = None
    # per-process, never pickled: results derived from the findings once per language
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # per-process, never pickled, shared by the snapshots of one live index while its labels hold: what
    # :meth:`per_finding` computed, by key, as ``id(finding) -> (finding, value)``, and what a caller keeps
    # from one version to the next under a key of its own (the gap board's order)
    carry: dict[Any, dict[Any, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["derived"] = {}
        state["carry"] = {}
        return state

    def label(self, english: bool) -> coverage.messages.Labeller:
        names, index = self.names or {}, 1 if english else 0

        def label(object_type: str, object_id: int) -> str:
            found = names.get((object_type, object_id))
            return found[index] if found is not None else f"#{object_id}"

        return label

    def per_finding(self, key: Any, compute: Callable[[coverage.Finding], Any]) -> list[Any]:
        """``compute(f)`` for every finding, in order, once per version; a value computed for the very same
        finding object by an earlier version of the same live index is reused (after a write only the
        findings the engine re-checked are computed again). ``compute`` may depend only on the finding,
        ``key`` and the labels: the live index drops what was carried when labels may have changed."""

        def build() -> list[Any]:
            before = self.carry.get(key, {})
            now: dict[int, tuple[coverage.Finding, Any]] = {}
            values = []
            for finding in self.findings:
                held = before.get(id(finding))
                value = held[1] if held is not None and held[0] is finding else compute(finding)
                now[id(finding)] = (finding, value)
                values.append(value)
            self.carry[key] = now
            return values

        values: list[Any] = self.once(("per finding", key), build)
        return values

    def once(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` computed once per process for this version (idempotent, so a race only repeats it)."""
        found = self.derived.get(key)
        if found is None:
            found = self.derived[key] = build()
        return found


def in_service_transaction() -> bool:
    """True inside an atomic block other than the ones a test case wraps every test in: a service's own
    uncommitted writes are not in the plan version, so nothing may be served from, or kept for, it."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
