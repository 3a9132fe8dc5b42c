"""Solver run on the demo summit, the way the product runs it (prints figures; not a test).

The speed goal the demo test used to assert (a 20-second run finishes within a minute, mapping and
writing back included) is measured here. Runs on the database the environment names
(``ANTT_SQLITE_PATH`` / ``ANTT_DATABASE_URL``):

    ANTT_DEMO=1 ANTT_SQLITE_PATH=/tmp/x.sqlite3 .venv/bin/antt demo --no-serve     # the demo summit
    ANTT_SQLITE_PATH=/tmp/x.sqlite3 .venv/bin/python benchmarks/demo_run.py --time-limit 20
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--event", default="demo-summit")
    parser.add_argument("--planner", default="demo-planner")
    parser.add_argument("--time-limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")
    import django

    django.setup()
    from antt.accounts.models import User
    from antt.events.models import Event
    from antt.rostering import services
    from antt.rostering.models import SolverRun

    event = Event.objects.get(code=args.event)
    planner = User.objects.get(username=args.planner)
    began = time.perf_counter()
    run = services.start_run(
        actor=planner, event=event, time_limit=args.time_limit, seed=args.seed, dispatch=False
    )
    services.execute_run(run.pk)
    took = time.perf_counter() - began
    run = SolverRun.objects.get(pk=run.pk)
    summary = run.summary or {}
    print(f"run {run.pk}: {run.status}, solver time limit {args.time_limit} s")
    print(f"wall time (start to written back): {took:.1f} s (goal: under {GOAL_SECONDS} s)")
    print(f"solver elapsed: {run.elapsed:.1f} s")
    for side in ("before", "after"):
        if side in summary:
            print(f"{side}: {summary[side]}")


if __name__ == "__main__":
    main()
