"""Coverage engine: proves "no gaps" ("không để thiếu sót, sơ hở") for a staffing plan.

Pure Python, no Django. Times are integer UTC minutes (see :mod:`.model`); windows are half-open.

    plan = CoveragePlan(window=Window.of(start, end), time_zone="Asia/Ho_Chi_Minh",
                        requirements=..., assignments=..., officers=..., rest=RestRules(...))
    findings = audit(plan)                      # full audit
    index = CoverageIndex(plan)                 # incremental
    delta = index.update_assignment(changed)    # re-checks only what the change touches
    explain(findings[0], "vi")
"""

from .engine import CoverageDelta, CoverageIndex, audit, collector_paused
from .findings import SEVERITY, Finding, FindingKind, Severity
from .localdays import LocalCalendar
from .messages import LANGUAGES, MESSAGES, explain, render
from .model import (
    ACTIVE_STATUSES,
    Assignment,
    CoveragePlan,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
    Skill,
    Window,
    datetime_of,
    minute_of,
)

__all__ = [
    "ACTIVE_STATUSES",
    "LANGUAGES",
    "MESSAGES",
    "SEVERITY",
    "Assignment",
    "CoverageDelta",
    "CoverageIndex",
    "CoveragePlan",
    "Finding",
    "FindingKind",
    "LocalCalendar",
    "Officer",
    "Requirement",
    "RestRules",
    "Severity",
    "SiteHours",
    "Skill",
    "Window",
    "audit",
    "collector_paused",
    "datetime_of",
    "explain",
    "minute_of",
    "render",
]
