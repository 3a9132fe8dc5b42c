"""Classified documents benchmark: the access decision and the reader's list at design scale, and the
upload and marked download of a 20 MB PDF (time and peak memory).

    .venv/bin/python benchmarks/documents.py                       # SQLite (a temporary file)
    .venv/bin/python benchmarks/documents.py --postgres postgres://postgres@127.0.0.1:5432/test

Design scale: 20,000 officers in 400 units, 2,000 posts, 40,000 duties, 1,000 documents, 5,000 grants (person,
unit and duty). Goals: one decision ≤ 5 ms, a reader's list ≤ 100 ms. Prints figures; asserts nothing.
The decision is timed as it runs now (one statement) and as it was composed before (four queries), sample by
sample in the same run, then as the viewer's page gets it and through the whole page. On PostgreSQL the data
is ANALYZEd after loading, as autovacuum would have done.
Wall times follow the machine's load (printed); the CPU time of this process is the steadier figure. The
marking runs in a fresh interpreter (``--child-mark``) so that its peak resident size is its own.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure(postgres: str | None) -> str:
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["ANTT_HTTPS"] = "0"
    os.environ["ANTT_LOG_LEVEL"] = "ERROR"  # the refused pages are 404s by design: not worth a line each
    os.environ["ANTT_DEBUG"] = "1"  # the development master key, derived from the secret key
    os.environ["ANTT_DOCUMENTS_ROOT"] = tempfile.mkdtemp(prefix="antt-bench-documents-")
    if postgres:
        import psycopg

        parts = urlparse(postgres)
        admin = urlunparse(parts._replace(path="/postgres"))
        name = f"{parts.path.strip('/') or 'antt'}_documents_bench"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["ANTT_DATABASE_URL"] = urlunparse(parts._replace(path=f"/{name}"))
        label = "PostgreSQL"
    else:
        os.environ.pop("ANTT_DATABASE_URL", None)
        os.environ["ANTT_SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        label = "SQLite"
    os.environ["DJANGO_SETTINGS_MODULE"] = "antt.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return label


def build(rng: random.Random) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from antt.core.permissions import Clearance, Role
    from antt.documents.models import Document, Grant
    from antt.events.models import Event, Membership
    from antt.forces.models import Officer, Skill, Unit
    from antt.planning.models import Assignment, Post, Site

    start = datetime(2026, 11, 10, 0, 0, tzinfo=UTC)
    event = Event.objects.create(
        code="bench", name_vi="Bench", name_en="Bench", starts_at=start, ends_at=start + timedelta(days=10)
    )
    units: list[Unit] = []
    for i in range(400):
        parent = units[(i - 1) // 20] if i else None
        units.append(
            Unit.objects.create(
                event=event, code=f"U{i:03d}", name_vi=f"Đơn vị {i}", name_en=f"Unit {i}", parent=parent
            )
        )
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"reader{i}") for i in range(200)]
    )
    Membership.objects.bulk_create(
        [Membership(event=event, user=u, role=Role.FIELD_OFFICER, clearance=rng.randint(0, 3)) for u in users]
    )
    custodian = get_user_model().objects.create(username="custodian")
    Membership.objects.create(
        event=event, user=custodian, role=Role.DOCUMENT_CUSTODIAN, clearance=Clearance.TOP_SECRET
    )
    officers = Officer.objects.bulk_create(
        [
            Officer(
                event=event,
                code=f"CA{i:05d}",
                full_name=f"Cán bộ {i}",
                unit=units[rng.randrange(400)],
                user=users[i] if i < len(users) else None,
                clearance=rng.randint(0, 3),
            )
            for i in range(20_000)
        ],
        batch_size=2000,
    )
    site = Site.objects.create(event=event, code="S", name_vi="Khu", name_en="Site")
    skill = Skill.objects.create(event=event, code="checkpoint", name_vi="KS", name_en="CP")
    posts = Post.objects.bulk_create(
        [
            Post(event=event, site=site, code=f"P{i:04d}", name_vi=f"Chốt {i}", name_en=f"Post {i}")
            for i in range(2000)
        ]
    )
    duties = []
    for _ in range(40_000):
        begin = start + timedelta(hours=rng.randrange(0, 230))
        duties.append(
            Assignment(
                event=event,
                officer=officers[rng.randrange(20_000)],
                post=posts[rng.randrange(2000)],
                skill=skill,
                starts_at=begin,
                ends_at=begin + timedelta(hours=4),
            )
        )
    Assignment.objects.bulk_create(duties, batch_size=5000)
    documents = Document.objects.bulk_create(
        [
            Document(
                event=event, title_vi=f"Tài liệu {i}", classification=rng.randint(0, 3), custodian=custodian
            )
            for i in range(1000)
        ]
    )
    grants = []
    for _ in range(5000):
        doc = documents[rng.randrange(1000)]
        begin = start + timedelta(hours=rng.randrange(0, 200))
        window = {"valid_from": begin, "valid_until": begin + timedelta(hours=rng.choice((6, 24, 72)))}
        kind = rng.choices(("person", "unit", "duty"), weights=(2, 4, 4))[0]
        target = {
            "person": {"user": users[rng.randrange(200)]},
            "unit": {"unit": units[rng.randrange(400)]},
            "duty": {"post": posts[rng.randrange(2000)]},
        }[kind]
        grants.append(Grant(document=doc, kind=kind, granted_by=custodian, **window, **target))
    Grant.objects.bulk_create(grants, batch_size=2000)
    if connection.vendor == "postgresql":
        # Statistics as autovacuum would have gathered them by the time an event holds this much (a freshly
        # bulk-loaded table has none, and its plans are not the ones a running system gets).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"event": event, "users": users, "documents": documents, "start": start, "custodian": custodian}


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values):6.2f} ms · p99 {p99:6.2f} ms · max {values[-1]:6.2f} ms"


def _decision_samples(
    data: dict[str, object], rng: random.Random, count: int
) -> list[tuple[object, int, datetime]]:
    """Half random pairs (almost all refused), half pairs a grant was made for, inside its window (so the rule
    has to walk person, unit and duty grants to the end, and some are allowed)."""
    from antt.documents.models import Grant

    event, users, documents = data["event"], data["users"], data["documents"]
    start: datetime = data["start"]  # type: ignore[assignment]
    by_user = {u.pk: u for u in users}  # type: ignore[attr-defined]
    granted = list(
        Grant.objects.filter(document__event=event).values_list(
            "document_id", "user_id", "valid_from", "valid_until"
        )
    )
    samples: list[tuple[object, int, datetime]] = []
    for i in range(count):
        if i % 2:
            doc_id, user_id, begin, until = granted[rng.randrange(len(granted))]
            user = by_user.get(user_id) or users[rng.randrange(len(users))]  # type: ignore[index]
            samples.append((user, doc_id, begin + (until - begin) / 2))
        else:
            user = users[rng.randrange(len(users))]  # type: ignore[index]
            doc_id = documents[rng.randrange(len(documents))].pk  # type: ignore[index]
            samples.append((user, doc_id, start + timedelta(hours=rng.randrange(0, 220))))
    return samples


def _decide_before(user, event, doc_id: int, at: datetime) -> bool:  # type: ignore[no-untyped-def]
    """The decision as it was composed before issue 16 (kept here for the side-by-side figure): the membership,
    the reader's chain, the document and the rule, each its own round trip through Django."""
    from antt.documents import access
    from antt.documents.models import Document

    user.__dict__.pop("_antt_memberships", None)
    reader = access.reader_for(user, event)
    return access.may_read(reader, Document.objects.get(pk=doc_id), at)


def _page_part(data: dict[str, object], samples: list[tuple[object, int, datetime]]) -> None:
    """The document's page through Django (middleware, session, the view, the template), at the sample's time:
    what a reader waits for, of which the decision is one statement."""
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from antt.core.testing import verified_client

    event = data["event"]
    clients: dict[int, Client] = {}
    pages: dict[int, list[float]] = {200: [], 404: []}
    queries_per_page: dict[int, list[int]] = {200: [], 404: []}
    for user, doc_id, at in samples:
        client = clients.get(user.pk)  # type: ignore[attr-defined]
        if client is None:
            client = clients[user.pk] = verified_client(user, Client(HTTP_HOST="localhost"))  # type: ignore[attr-defined]
            with time_machine.travel(
                at, tick=False
            ):  # untimed: the process's first page loads templates etc.
                client.get(f"/events/{event.code}/documents/{doc_id}/")  # type: ignore[attr-defined]
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            status = client.get(f"/events/{event.code}/documents/{doc_id}/").status_code  # type: ignore[attr-defined]
            elapsed = (time.perf_counter() - t0) * 1000
        if status in pages:
            pages[status].append(elapsed)
            queries_per_page[status].append(len(captured))
    for status, label in ((200, "allowed (200)"), (404, "refused (404)")):
        if pages[status]:
            counts = queries_per_page[status]
            print(
                f"      the document's page through Django, {label}, {len(pages[status])} samples: "
                f"{_ms(pages[status])} ({min(counts)} to {max(counts)} queries)"
            )


def _waiting_ms(paths: list[Path]) -> float:
    """Time the given threads spent runnable but waiting for a CPU (Linux schedstat, field 2), in ms."""
    total = 0
    for path in paths:
        try:
            total += int(path.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return float("nan")
    return total / 1e6


def _database_part(data: dict[str, object], samples: list[tuple[object, int, datetime]]) -> None:
    """PostgreSQL's own time for the one statement (EXPLAIN ANALYZE: planning and execution), apart from the
    round trip and from waiting for a CPU on a loaded machine."""
    from django.db import connection

    from antt.documents import access

    planning, execution, jit = [], [], 0
    with connection.cursor() as cursor:
        for user, doc_id, at in samples:
            sql, params = access.decide_sql(user, data["event"], doc_id, at)
            cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
            planning += [float(line.split()[2]) for line in lines if line.startswith("Planning Time")]
            execution += [float(line.split()[2]) for line in lines if line.startswith("Execution Time")]
            jit += any(line.startswith("JIT") for line in lines)
    print(
        f"      in PostgreSQL (EXPLAIN ANALYZE, {len(samples)} samples): planning {_ms(planning)};"
        f" execution {_ms(execution)}; JIT in {jit}"
    )


def access_part(data: dict[str, object], rng: random.Random) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antt.core.errors import NotFound
    from antt.documents import access, queries

    event, users = data["event"], data["users"]
    start: datetime = data["start"]  # type: ignore[assignment]
    before, after, cpu_after, viewer, lists, cpu_lists, counts = [], [], [], [], [], [], []
    allowed, disagree, query_counts, view_counts = 0, 0, [], []
    samples = _decision_samples(data, rng, 400)
    # This thread and, on PostgreSQL, the server process serving this connection: their time waiting for a CPU
    # is taken off the wall time in one figure (what the decision costs when the machine is not overloaded).
    schedstat = [Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            schedstat.append(Path(f"/proc/{cursor.fetchone()[0]}/schedstat"))
    unqueued: list[float] = []
    for i, (user, doc_id, at) in enumerate(samples):

        def old(user=user, doc_id=doc_id, at=at) -> bool:  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            ok = _decide_before(user, event, doc_id, at)
            before.append((time.perf_counter() - t0) * 1000)
            return ok

        def new(user=user, doc_id=doc_id, at=at) -> bool:  # type: ignore[no-untyped-def]
            user.__dict__.pop("_antt_memberships", None)  # type: ignore[attr-defined]
            with CaptureQueriesContext(connection) as captured:
                w0 = _waiting_ms(schedstat)
                t0, c0 = time.perf_counter(), time.process_time()
                ok = access.decide(user, event, doc_id, at)
                wall = (time.perf_counter() - t0) * 1000
                after.append(wall)
                cpu_after.append((time.process_time() - c0) * 1000)
                unqueued.append(wall - (_waiting_ms(schedstat) - w0))
            query_counts.append(len(captured))
            return ok

        # Alternate which runs first, so that neither always finds the rows cached by the other.
        runs = [old(), new()] if i % 2 else list(reversed([new(), old()]))
        disagree += runs[0] != runs[1]
        allowed += runs[1]
        event.membership_for(user)  # type: ignore[attr-defined] # as in a request: the permission check loaded it
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            with contextlib.suppress(NotFound):
                queries.get_document_for(user, event, doc_id, at=at)  # type: ignore[arg-type]
            viewer.append((time.perf_counter() - t0) * 1000)
        view_counts.append(len(captured))
    for _ in range(60):
        user = users[rng.randrange(len(users))]  # type: ignore[index]
        at = start + timedelta(hours=rng.randrange(0, 220))
        user.__dict__.pop("_antt_memberships", None)
        t0, c0 = time.perf_counter(), time.process_time()
        counts.append(len(list(queries.documents_for(user, event, at=at))))
        lists.append((time.perf_counter() - t0) * 1000)
        cpu_lists.append((time.process_time() - c0) * 1000)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"  access decision (membership + reader + document + rule), 400 samples, load {load}:   goal ≤ 5 ms"
        f" ({allowed} allowed; the two ways disagree on {disagree})"
    )
    print(
        f"      one statement (access.decide), {min(query_counts)} to {max(query_counts)} query: {_ms(after)}"
    )
    print(f"      before: membership, reader, document, rule (4 queries): {_ms(before)}")
    print(f"      one statement, CPU time in this process (SQLite's work included): {_ms(cpu_after)}")
    print(
        f"      one statement, wall less the time this process and the server's waited for a CPU:"
        f" {_ms(unqueued)}"
    )
    print(
        f"      the viewer's path (get_document_for: the document with its decision; membership loaded by the"
        f" permission check), {min(view_counts)} to {max(view_counts)} queries: {_ms(viewer)}"
    )
    if connection.vendor == "postgresql":
        _database_part(data, samples[:100])
    _page_part(data, samples[1:160:2] + samples[0:40:2])
    print(
        f"  a reader's list of documents, 60 samples:                             {_ms(lists)}   goal ≤ 100 ms"
        f" ({min(counts)} to {max(counts)} documents)"
    )
    print(f"      its CPU time in this process:                                    {_ms(cpu_lists)}")


def scanned_pdf(megabytes: int) -> bytes:
    """A scanned-looking PDF: pages of incompressible JPEG noise, about ``megabytes`` MB."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    written = 0
    while written < megabytes * 1024 * 1024:  # each page its own noise: identical images would be shared
        jpeg = io.BytesIO()
        Image.frombytes("L", (1100, 1100), os.urandom(1100 * 1100)).save(jpeg, format="JPEG", quality=95)
        written += len(jpeg.getvalue())
        page.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 30, 100, width=530, height=530)
        page.drawString(40, 60, "Bản quét / Scanned page")
        page.showPage()
    page.save()
    return out.getvalue()


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: resets VmHWM (the peak resident size)
        return True
    except OSError:
        return False


def _measure(label: str, size_mb: float, action) -> None:  # type: ignore[no-untyped-def]
    """Run ``action`` twice: once for time and the peak resident memory (Python and qpdf alike), once under
    tracemalloc for the peak of Python's own allocations."""
    import gc

    gc.collect()
    resettable = _reset_peak_rss()
    base = _rss_kib("VmRSS")
    t0 = time.perf_counter()
    sent = action()
    elapsed = time.perf_counter() - t0
    peak_rss = (_rss_kib("VmHWM") - base) / 1024 if resettable else float("nan")
    gc.collect()
    tracemalloc.start()
    action()
    _cur, peak_py = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  {label} {size_mb:.1f} MB → {sent / 1024 / 1024:.1f} MB: {elapsed * 1000:6.0f} ms,"
        f" peak resident +{peak_rss:5.1f} MB, peak Python allocations {peak_py / 1024 / 1024:5.1f} MB"
    )


def _drain(handle) -> int:  # type: ignore[no-untyped-def]
    """Read a response body as FileResponse does (its block size), keeping nothing."""
    sent = 0
    with handle:
        while chunk := handle.read(64 * 1024):
            sent += len(chunk)
    return sent


def file_part(data: dict[str, object], megabytes: int, compare: bool) -> None:
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from antt.documents import services

    event, custodian = data["event"], data["custodian"]
    pdf = scanned_pdf(megabytes)
    document = services.create_document(actor=custodian, event=event, title_vi="Bản quét", classification=1)  # type: ignore[arg-type]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(pdf)
        source.flush()
        del pdf

        def upload() -> int:
            handle = TemporaryUploadedFile("scan.pdf", "application/pdf", 0, None)
            with open(source.name, "rb") as plain:
                while piece := plain.read(1024 * 1024):
                    handle.write(piece)
            handle.size = handle.tell()
            handle.seek(0)
            version = services.add_version(
                actor=custodian, document=document, upload=handle, filename="scan.pdf"
            )  # type: ignore[arg-type]
            return version.size

        size_mb = os.path.getsize(source.name) / 1024 / 1024
        _measure("upload (sniff, encrypt, store) of a PDF of", size_mb, upload)

    # The marking runs in a fresh interpreter (same database, storage and key), so that its peak resident size
    # is not hidden by memory this process already took for building the scanned PDF.
    for engine in ("pikepdf", "pypdf") if compare else ("pikepdf",):
        subprocess.run(
            [sys.executable, __file__, "--child-mark", engine, "--document", str(document.pk)],
            env=os.environ,
            check=True,
        )


def _mark_with_pypdf(document) -> int:  # type: ignore[no-untyped-def]
    """The previous way, for comparison: pypdf holds every page's content, then the copy, in memory."""
    from pypdf import PdfReader, PdfWriter

    from antt.documents import marking, storage

    version = document.versions.order_by("-number").first()
    mark = marking.Mark("Bench", "CA00001", "10/11/2026 08:00", 1, "MẬT", "bench")
    plain = storage.open_plain(
        storage_name=version.storage_name,
        key_id=version.key_id,
        wrapped_key=bytes(version.wrapped_key),
        uid=version.uid.bytes,
        size=version.size,
    )
    writer = PdfWriter()
    stamp = PdfReader(io.BytesIO(marking._overlay(595, 842, mark))).pages[0]
    for page in PdfReader(plain).pages:
        writer.add_page(page).merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return _drain(out)


def child_mark(engine: str, document_id: int) -> None:
    import django

    django.setup()
    from antt.documents import marking, services
    from antt.documents.models import Document

    marking._pdf_font()  # warm: the libraries and the font are loaded once per process, not per copy
    import pikepdf  # noqa: F401
    import pypdf  # noqa: F401

    document = Document.objects.select_related("event", "custodian").get(pk=document_id)
    size_mb = document.versions.order_by("-number").first().size / 1024 / 1024  # type: ignore[union-attr]

    def run() -> int:
        if engine == "pypdf":
            return _mark_with_pypdf(document)
        _v, _copy, handle = services.issue_copy(
            actor=document.custodian, event=document.event, document_id=document.pk
        )
        return _drain(handle)

    label = {
        "pikepdf": "marked copy (decrypt, stamp every page with pikepdf, stream) of",
        "pypdf": "for comparison, the previous code (pypdf, in memory) of",
    }[engine]
    _measure(label, size_mb, run)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-compare", action="store_true", help="skip the pypdf comparison")
    parser.add_argument("--profile", action="store_true", help="profile the access part only")
    parser.add_argument("--child-mark", choices=("pikepdf", "pypdf"), help=argparse.SUPPRESS)
    parser.add_argument("--document", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_mark:
        child_mark(args.child_mark, args.document)
        return
    label = configure(args.postgres)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    data = build(rng)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{label}: design scale built in {time.perf_counter() - t0:.1f} s (load average: {load}, 2 cores)")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(access_part, data, rng)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        return
    access_part(data, rng)
    file_part(data, args.megabytes, not args.no_compare)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"  (load average at the end: {load})")


if __name__ == "__main__":
    main()
