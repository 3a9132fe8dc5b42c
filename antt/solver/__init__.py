"""ANTT roster solver: pure Python (no Django), OR-Tools CP-SAT inside.

Two modes share the engine (options, progress, cancellation, status):

* event mode — :func:`solve_roster` and :func:`replan` on a :class:`RosterProblem`
  (officers, posts, demand windows, rules, weights); the Django planning app calls these;
* day x shift mode — :func:`solve_shifts` on a :class:`ShiftProblem`, the nurse-rostering model
  used for the Curtois & Qu benchmark (:func:`read_benchmark`).
"""

from antt.solver.benchmark import parse_benchmark, read_benchmark, roster_csv
from antt.solver.bound import coverable_upper_bound
from antt.solver.engine import Progress, SolveOptions, SolveStatus
from antt.solver.errors import BenchmarkFormatError, Reason, SolverError
from antt.solver.messages import MESSAGES, render
from antt.solver.model import (
    DAY,
    Assignment,
    Coverage,
    Demand,
    Officer,
    Post,
    RosterProblem,
    RosterResult,
    Rules,
    ShiftPattern,
    Site,
    SkillGrant,
    Travel,
    Uncovered,
    Weights,
)
from antt.solver.replan import (
    AssignmentMoved,
    DemandAdded,
    DemandMoved,
    OfficerDiff,
    OfficerUnavailable,
    ReplanResult,
    RosterDiff,
    apply_change,
    diff_rosters,
    replan,
)
from antt.solver.roster import solve_roster
from antt.solver.shifts import ShiftProblem, ShiftSolution, evaluate_shift_roster, solve_shifts

__all__ = [
    "DAY",
    "MESSAGES",
    "Assignment",
    "AssignmentMoved",
    "BenchmarkFormatError",
    "Coverage",
    "Demand",
    "DemandAdded",
    "DemandMoved",
    "Officer",
    "OfficerDiff",
    "OfficerUnavailable",
    "Post",
    "Progress",
    "Reason",
    "ReplanResult",
    "RosterDiff",
    "RosterProblem",
    "RosterResult",
    "Rules",
    "ShiftPattern",
    "ShiftProblem",
    "ShiftSolution",
    "Site",
    "SkillGrant",
    "SolveOptions",
    "SolveStatus",
    "SolverError",
    "Travel",
    "Uncovered",
    "Weights",
    "apply_change",
    "coverable_upper_bound",
    "diff_rosters",
    "evaluate_shift_roster",
    "parse_benchmark",
    "read_benchmark",
    "render",
    "replan",
    "roster_csv",
    "solve_roster",
    "solve_shifts",
]
