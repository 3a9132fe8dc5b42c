"""IAP build benchmark: time to build the Incident Action Plan (content + PDF) and the PDF's size, for the
demo summit and for the design-scale event (prints figures; not a test).

    # the demo summit, on the database the environment names:
    ANTT_DEMO=1 ANTT_SQLITE_PATH=/tmp/r.sqlite3 .venv/bin/antt demo --no-serve
    ANTT_SQLITE_PATH=/tmp/r.sqlite3 .venv/bin/python benchmarks/reports.py --event demo-summit

    # the design-scale event (20,000 officers, 2,000 posts; benchmarks/coverage.py's generator and loader)
    .venv/bin/python benchmarks/reports.py --design postgres://postgres@127.0.0.1:5432/bench_reports
        # the database is dropped and re-created (its name must start with "bench"); --reuse keeps it

The IAP row and its version are written directly (a fixture); the build is the worker's own path,
``services.execute_build``: content from the plan, SHA-256, WeasyPrint PDF.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import time
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _coverage_bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_coverage", ROOT / "benchmarks" / "coverage.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_coverage"] = module
    spec.loader.exec_module(module)
    return module


def measure(code: str, day_offset: int = 0) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from antt.events.models import Event
    from antt.reports import iap, services
    from antt.reports.models import Iap, IapVersion, OperationalPeriod

    event = Event.objects.get(code=code)
    period, _ = OperationalPeriod.objects.get_or_create(
        event=event,
        code="bench-day",
        defaults={"name_vi": "Ca ngày", "name_en": "Day shift", "starts": clock(6, 0), "ends": clock(18, 0)},
    )
    day = event.starts_at.astimezone(event.tz).date()
    start, end = services.period_window(event, period, day.fromordinal(day.toordinal() + day_offset))
    user = get_user_model().objects.order_by("pk").first()
    the_iap, _ = Iap.objects.get_or_create(
        event=event, period=period, starts_at=start, defaults={"ends_at": end}
    )
    number = (the_iap.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = IapVersion.objects.create(
        iap=the_iap, number=number, language="vi", requested_by=user, requested_at=timezone.now()
    )
    t0 = time.perf_counter()
    content = iap.build_content(the_iap)
    content_s = time.perf_counter() - t0
    t0, cpu0 = time.perf_counter(), time.process_time()
    outcome = services.execute_build(version.pk)
    total_s, cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    version.refresh_from_db()
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(bytes(version.pdf or b""))).pages) if version.pdf else 0
    counts = iap.row_counts(content)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"event {code!r}, period {start:%Y-%m-%d %H:%M} - {end:%H:%M} ({event.time_zone})")
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"  content from the plan: {content_s:.2f} s")
    print(
        f"  whole build (content + hash + PDF, the worker's path): {total_s:.1f} s wall, {cpu_s:.1f} s CPU -> {outcome}"
    )
    print(f"  PDF: {version.pdf_size / 1024:,.0f} KiB, {pages:,} pages; peak RSS {peak:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--event", help="an event already in the database the environment names")
    parser.add_argument(
        "--design", metavar="URL", help="load the design-scale event into this PostgreSQL database"
    )
    parser.add_argument("--small", action="store_true", help="with --design: a tenth of the design scale")
    parser.add_argument("--reuse", action="store_true", help="with --design: reuse the loaded event")
    args = parser.parse_args()
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs (shared machine: noisy)"
    )
    if args.design:
        # the settings must name the benchmark database before Django starts (coverage.py's loader imports
        # models at module level); configure_django then drops, re-creates and migrates it.
        os.environ.update(
            {
                "ANTT_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "ANTT_HTTPS": "0",
                "ANTT_DEBUG": "0",
                "ANTT_STATIC_MANIFEST": "0",
                "ANTT_LOG_LEVEL": "WARNING",
                "ANTT_DATABASE_URL": args.design,
                "ANTT_ALLOWED_HOSTS": "testserver",
                "DJANGO_SETTINGS_MODULE": "antt.settings",
            }
        )
        import django

        django.setup()
        bench = _coverage_bench()
        scale = bench.SMALL if args.small else bench.FULL  # type: ignore[attr-defined]
        plan = bench.generate(scale, 2026)  # type: ignore[attr-defined]
        bench.configure_django(args.design, reuse=args.reuse)  # type: ignore[attr-defined]
        from antt.events.models import Event

        if not (args.reuse and Event.objects.filter(code=bench.EVENT_CODE).exists()):  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            bench.load_plan(plan, scale)  # type: ignore[attr-defined]
            print(
                f"design-scale fixture loaded in {time.perf_counter() - t0:.0f} s ({scale.officers:,} officers)"
            )
        measure(bench.EVENT_CODE, day_offset=1)  # type: ignore[attr-defined]
        return
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")
    import django

    django.setup()
    measure(args.event or "demo-summit")


if __name__ == "__main__":
    main()
