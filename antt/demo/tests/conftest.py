"""The demo's solver test runs the solver the way rostering's own tests do (same fixtures)."""

from antt.rostering.tests.conftest import _solver_in_test_thread, run_now

__all__ = ["_solver_in_test_thread", "run_now"]
