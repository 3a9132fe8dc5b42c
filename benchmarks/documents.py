"""Classified documents benchmark: the access decision and the reader's list at design scale, and the
upload and marked download of a 20 MB PDF (time and peak memory).

    .venv/bin/python benchmarks/documents.py                       # SQLite (a temporary file)
    .venv/bin/python benchmarks/documents.py --postgres postgres://postgres@127.0.0.1:5432/test

Design scale: 20,000 officers in 400 units, 2,000 posts, 40,000 duties, 1,000 documents, 5,000 grants (person,
unit and duty). Goals: one decision ≤ 5 ms, a reader's list ≤ 100 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
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
    os.environ["ANTT_LOG_LEVEL"] = "WARNING"
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
    return {"event": event, "users": users, "documents": documents, "start": start, "custodian": custodian}


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values):6.2f} ms · p99 {p99:6.2f} ms · max {values[-1]:6.2f} ms"


def access_part(data: dict[str, object], rng: random.Random) -> None:
    from antt.documents import access, queries
    from antt.documents.models import Document

    event, users, documents = data["event"], data["users"], data["documents"]
    start: datetime = data["start"]  # type: ignore[assignment]
    decisions, lists, allowed = [], [], 0
    cpu_decisions, cpu_lists = [], []
    for _ in range(300):
        user = users[rng.randrange(len(users))]  # type: ignore[index]
        doc_id = documents[rng.randrange(len(documents))].pk  # type: ignore[index]
        at = start + timedelta(hours=rng.randrange(0, 220))
        user.__dict__.pop("_antt_memberships", None)
        t0, c0 = time.perf_counter(), time.process_time()
        reader = access.reader_for(user, event)
        ok = access.may_read(reader, Document.objects.get(pk=doc_id), at)
        decisions.append((time.perf_counter() - t0) * 1000)
        cpu_decisions.append((time.process_time() - c0) * 1000)
        allowed += ok
    for _ in range(60):
        user = users[rng.randrange(len(users))]  # type: ignore[index]
        at = start + timedelta(hours=rng.randrange(0, 220))
        user.__dict__.pop("_antt_memberships", None)
        t0, c0 = time.perf_counter(), time.process_time()
        count = len(list(queries.documents_for(user, event, at=at)))
        lists.append((time.perf_counter() - t0) * 1000)
        cpu_lists.append((time.process_time() - c0) * 1000)
    print(
        f"  access decision (reader + rule + document), 300 samples: {_ms(decisions)}   goal ≤ 5 ms ({allowed} allowed)"
    )
    print(
        f"  a reader's list of documents, 60 samples:              {_ms(lists)}   goal ≤ 100 ms (last: {count} documents)"
    )


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


def file_part(data: dict[str, object], megabytes: int) -> None:
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from antt.documents import services

    event, custodian = data["event"], data["custodian"]
    pdf = scanned_pdf(megabytes)
    document = services.create_document(actor=custodian, event=event, title_vi="Bản quét", classification=1)  # type: ignore[arg-type]
    upload = TemporaryUploadedFile("scan.pdf", "application/pdf", len(pdf), None)
    upload.write(pdf)
    upload.seek(0)
    del pdf
    tracemalloc.start()
    t0 = time.perf_counter()
    version = services.add_version(actor=custodian, document=document, upload=upload, filename="scan.pdf")
    up_s = time.perf_counter() - t0
    _cur, up_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    _v, _copy, handle = services.issue_copy(actor=custodian, event=event, document_id=document.pk)  # type: ignore[arg-type]
    sent = 0
    while chunk := handle.read(64 * 1024):
        sent += len(chunk)
    down_s = time.perf_counter() - t0
    _cur, down_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    handle.close()
    mb = version.size / 1024 / 1024
    print(
        f"  upload (sniff, encrypt, store) of a {mb:.1f} MB PDF: {up_s * 1000:7.0f} ms, peak Python memory {up_peak / 1024 / 1024:6.1f} MB"
    )
    print(
        f"  marked copy (decrypt, stamp every page, stream) {sent / 1024 / 1024:.1f} MB: {down_s * 1000:7.0f} ms, peak Python memory {down_peak / 1024 / 1024:6.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    label = configure(args.postgres)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    data = build(rng)
    print(f"{label}: design scale built in {time.perf_counter() - t0:.1f} s (load: {os.getloadavg()[0]:.1f})")
    access_part(data, rng)
    file_part(data, args.megabytes)


if __name__ == "__main__":
    main()
