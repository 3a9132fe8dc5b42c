"""The plan version of an event, for planning and the apps above it: ``current(event)``,
``bump(event, assignments=…, requirements=…, officers=…, posts=…, sites=…)``. The counter lives in
``antt.events`` so that the forces services (below planning) can bump it too; see
:mod:`antt.events.plan_versions` for what it means and when to bump."""

from antt.events.plan_versions import (
    ASSIGNMENT,
    EVERYTHING,
    KINDS,
    MAX_OBJECTS,
    OFFICER,
    POST,
    REQUIREMENT,
    SITE,
    bump,
    changes_since,
    count_since,
    current,
    identity,
)

__all__ = [
    "ASSIGNMENT",
    "EVERYTHING",
    "KINDS",
    "MAX_OBJECTS",
    "OFFICER",
    "POST",
    "REQUIREMENT",
    "SITE",
    "bump",
    "changes_since",
    "count_since",
    "current",
    "identity",
]
