"""Forces upload benchmark: what crafted workbooks cost to read (peak traced memory and time).

    .venv/bin/python benchmarks/interop_upload.py

Prints figures; asserts nothing. Goal: every crafted file below stays under 50 MB and a second; a real
workbook costs what it holds. (Before the limits, the 5 KB sheet declaring
``A1:XFD5000`` cost ~650 MB traced and 14 s.)
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def corners(last_row: int, header: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "officers"
    sheet.append(header)
    sheet.cell(row=last_row, column=16384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lying(content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:XFD5000"', b'ref="A1:J2"')
            dest.writestr(entry.filename, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def real(header: list[str], officers: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("officers")
    sheet.append(header)
    for n in range(officers):
        sheet.append(
            [f"CA{n:05d}", f"Nguyễn Văn {n}", "Đại úy", "U1", f"QN-{n}", "0912", "mật", "checkpoint", "", ""]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(name: str, make: Callable[[], bytes]) -> None:
    from antt.interop import forces_sheet

    content = make()
    tracemalloc.start()
    started = time.perf_counter()
    parsed = forces_sheet.parse([(f"{name}.xlsx", content)], tz=ZoneInfo("Asia/Ho_Chi_Minh"))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    outcome = parsed.errors[0].en if parsed.errors else f"{len(parsed.officers)} officers"
    print(f"{name:<28} {len(content):>10,} B  peak {peak:7.1f} MB  {elapsed:6.2f} s  {outcome}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")
    os.environ.setdefault("ANTT_DEBUG", "1")
    import django

    django.setup()
    from antt.interop.forces_sheet import OFFICER_COLUMNS

    header = list(OFFICER_COLUMNS)
    measure("corners A1:XFD5000", lambda: corners(5000, header))
    measure("lying dimension A1:J2", lambda: lying(corners(5000, header)))
    measure("zip bomb 200 MB of zeros", zip_bomb)
    measure("real 5,000 officers", lambda: real(header, 5_000))


if __name__ == "__main__":
    main()
