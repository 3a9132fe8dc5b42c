"""The ``antt`` command: every Django management command, plus the project's own verbs.

``antt demo``, ``antt audit verify``, ``antt migrate`` … The language of messages follows ``ANTT_LANGUAGE``
or the system locale (``LANG``), Vietnamese by default.
"""

from __future__ import annotations

import os
import sys


def _language() -> str:
    raw = os.environ.get("ANTT_LANGUAGE") or os.environ.get("LC_ALL") or os.environ.get("LANG") or "vi"
    return "en" if raw.lower().startswith("en") else "vi"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")
    if args[:1] == ["demo"]:
        os.environ.setdefault("ANTT_DEMO", "1")
    if args[:1] == ["solve-benchmark"]:
        from antt.solver.cli import solve_benchmark_main

        return solve_benchmark_main(args[1:])
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"antt: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line
    from django.utils import translation

    translation.activate(_language())
    try:
        execute_from_command_line(["antt", *args])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
