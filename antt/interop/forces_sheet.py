"""Units and officers from a spreadsheet (XLSX with a units and an officers sheet, or one CSV per sheet).

Pure: bytes in, dataclasses and problems out; nothing here reads the database. The service then checks
the references (units, skills, sites already in the event) and writes through the forces services.

Column layout (header names in English or Vietnamese, any case, with or without diacritics; the order
of columns does not matter; a sheet is recognised by its headers, not its name):

units     code* · name_vi* · name_en* · parent_code · commander_code
officers  code* · full_name* · unit_code* · rank · call_sign · phone · clearance · skills ·
          availability · home_base

* required. ``clearance``: 0-3 or none/confidential/secret/top_secret (không/mật/tối mật/tuyệt mật).
``skills``: ``checkpoint:2026-12-31;traffic`` (code, optional expiry date, separated by ``;``).
``availability``: ISO 8601 intervals ``2026-12-01T06:00+07:00/2026-12-04T00:00+07:00`` separated by
``;`` (no offset: the event's time zone); empty means always available. ``home_base``: a site code.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from itertools import pairwise
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from antt.core.spreadsheet import append_row
from antt.core.text import fold
from antt.interop.problems import Problem
from antt.interop.tables import read_tables

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "unit code", "mã", "mã đơn vị"),
    "name_vi": ("name_vi", "name (vietnamese)", "vietnamese name", "tên tiếng việt", "tên đơn vị"),
    "name_en": ("name_en", "name (english)", "english name", "tên tiếng anh"),
    "parent_code": (
        "parent_code",
        "parent",
        "parent unit",
        "mã đơn vị cấp trên",
        "đơn vị cấp trên",
        "cấp trên",
    ),
    "commander_code": ("commander_code", "commander", "mã chỉ huy", "chỉ huy", "số hiệu chỉ huy"),
}
OFFICER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "service number", "số hiệu", "mã", "mã cán bộ"),
    "full_name": ("full_name", "full name", "name", "họ và tên", "họ tên"),
    "rank": ("rank", "cấp bậc"),
    "unit_code": ("unit_code", "unit", "unit code", "mã đơn vị", "đơn vị"),
    "call_sign": ("call_sign", "call sign", "hô hiệu"),
    "phone": ("phone", "telephone", "điện thoại", "số điện thoại"),
    "clearance": ("clearance", "độ mật", "cấp độ mật", "mức tiếp cận bí mật"),
    "skills": ("skills", "kỹ năng"),
    "availability": ("availability", "availability windows", "thời gian sẵn sàng", "sẵn sàng"),
    "home_base": ("home_base", "home base", "home_base_code", "nơi đóng quân", "địa điểm đóng quân"),
}
REQUIRED = {"units": ("code", "name_vi", "name_en"), "officers": ("code", "full_name", "unit_code")}
MAX_LENGTHS = {
    "code": 40,
    "name_vi": 200,
    "name_en": 200,
    "full_name": 200,
    "rank": 60,
    "call_sign": 40,
    "phone": 40,
    "parent_code": 40,
    "commander_code": 40,
    "unit_code": 40,
    "home_base": 40,
}
CLEARANCE_WORDS = {
    "none": 0,
    "khong": 0,
    "confidential": 1,
    "mat": 1,
    "secret": 2,
    "toi mat": 2,
    "top secret": 3,
    "top_secret": 3,
    "tuyet mat": 3,
}
SHEET_TITLES = {"units": ("units", "Đơn vị"), "officers": ("officers", "Cán bộ")}


@dataclass(frozen=True)
class UnitRow:
    sheet: str
    row: int
    columns: Mapping[str, str]
    code: str
    name_vi: str
    name_en: str
    parent_code: str = ""
    commander_code: str = ""


@dataclass(frozen=True)
class OfficerRow:
    sheet: str
    row: int
    columns: Mapping[str, str]
    code: str
    full_name: str
    unit_code: str
    rank: str = ""
    call_sign: str = ""
    phone: str = ""
    clearance: int = 0
    skills: tuple[tuple[str, date | None], ...] = ()
    availability: tuple[tuple[datetime, datetime], ...] = ()
    home_base: str = ""


@dataclass
class ForcesFile:
    """What a file (or several) holds: the rows that parsed, and every problem found."""

    units: list[UnitRow] = field(default_factory=list)
    officers: list[OfficerRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def _key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z()]+", " ", fold(header).replace("_", " ")).split())


def _lookup(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): name for name, aliases in columns.items() for alias in aliases}


_UNIT_LOOKUP = _lookup(UNIT_COLUMNS)
_OFFICER_LOOKUP = _lookup(OFFICER_COLUMNS)


# --- parsing rows ----------------------------------------------------------------------------------------


def parse(files: Iterable[tuple[str, bytes]], *, tz: tzinfo) -> ForcesFile:
    """Parse every sheet of every file; ``tz`` reads availability times written without an offset."""
    out = ForcesFile()
    for name, content in files:
        tables, problems = read_tables(name, content)
        out.problems += problems
        for sheet, rows in tables:
            _parse_table(out, sheet, rows, tz)
    _duplicates(out)
    if not out.units and not out.officers and not out.errors:
        out.problems.append(Problem(_("No units or officers were found in the file.")))
    return out


def _sheet_kind(headers: Sequence[str]) -> tuple[str, dict[str, int]] | None:
    keys = [_key(h) for h in headers]
    for kind, lookup in (("officers", _OFFICER_LOOKUP), ("units", _UNIT_LOOKUP)):
        found: dict[str, int] = {}
        for index, key in enumerate(keys):
            name = lookup.get(key)
            if name and name not in found:
                found[name] = index
        if ("full_name" if kind == "officers" else "name_vi") in found:
            return kind, found
    return None


def _parse_table(out: ForcesFile, sheet: str, rows: list[list[str]], tz: tzinfo) -> None:
    header_at = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_at is None:
        return
    headers = rows[header_at]
    found = _sheet_kind(headers)
    if found is None:
        out.problems.append(
            Problem(
                _("This sheet is neither a units nor an officers sheet (see the template); it was skipped."),
                sheet=sheet,
                row=header_at + 1,
                warning=True,
            )
        )
        return
    kind, index = found
    columns = {name: headers[i] for name, i in index.items()}
    for name in REQUIRED[kind]:
        if name not in index:
            out.problems.append(
                Problem(
                    _("The column %(column)s is missing."), {"column": name}, sheet=sheet, row=header_at + 1
                )
            )
    if any(name not in index for name in REQUIRED[kind]):
        return
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        problems: list[Problem] = []

        def bad(name: str, message: Any, params: Mapping[str, Any] | None = None) -> None:
            problems.append(  # noqa: B023 - used only inside this iteration
                Problem(message, params or {}, sheet=sheet, row=offset, column=columns.get(name, name))  # noqa: B023
            )

        for name in REQUIRED[kind]:
            if not values.get(name):
                bad(name, _("This value is required."))
        for name, limit in MAX_LENGTHS.items():
            if len(values.get(name, "")) > limit:
                bad(name, _("At most %(limit)s characters."), {"limit": limit})
        for name in ("code", "parent_code", "commander_code", "unit_code", "home_base"):
            value = values.get(name, "")
            if value and not CODE_RE.match(value):
                bad(name, _("“%(value)s” is not a valid code (letters, digits, . _ -)."), {"value": value})
        if kind == "units":
            if not problems:
                out.units.append(
                    UnitRow(
                        sheet=sheet,
                        row=offset,
                        columns=columns,
                        code=values["code"],
                        name_vi=values["name_vi"],
                        name_en=values["name_en"],
                        parent_code=values.get("parent_code", ""),
                        commander_code=values.get("commander_code", ""),
                    )
                )
        else:
            clearance = _clearance(values.get("clearance", ""), lambda m, p: bad("clearance", m, p))
            skills = _skills(values.get("skills", ""), lambda m, p: bad("skills", m, p))
            availability = _availability(
                values.get("availability", ""), tz, lambda m, p: bad("availability", m, p)
            )
            if not problems:
                out.officers.append(
                    OfficerRow(
                        sheet=sheet,
                        row=offset,
                        columns=columns,
                        code=values["code"],
                        full_name=values["full_name"],
                        unit_code=values["unit_code"],
                        rank=values.get("rank", ""),
                        call_sign=values.get("call_sign", ""),
                        phone=values.get("phone", ""),
                        clearance=clearance,
                        skills=skills,
                        availability=availability,
                        home_base=values.get("home_base", ""),
                    )
                )
        out.problems += problems


def _clearance(value: str, bad: Any) -> int:
    if not value:
        return 0
    if value.isdigit() and 0 <= int(value) <= 3:
        return int(value)
    word = _key(value)
    if word in CLEARANCE_WORDS:
        return CLEARANCE_WORDS[word]
    bad(
        _("“%(value)s” is not a clearance: use 0-3 or none, confidential, secret, top secret."),
        {"value": value},
    )
    return 0


def _skills(value: str, bad: Any) -> tuple[tuple[str, date | None], ...]:
    out: list[tuple[str, date | None]] = []
    for part in (p.strip() for p in value.replace("\n", ";").split(";")):
        if not part:
            continue
        code, _sep, expiry = (s.strip() for s in part.partition(":"))
        if not CODE_RE.match(code) or len(code) > 40:
            bad(_("“%(value)s” is not a valid code (letters, digits, . _ -)."), {"value": code})
            continue
        expires = None
        if expiry:
            try:
                expires = date.fromisoformat(expiry[:10]) if len(expiry) >= 10 else date.fromisoformat(expiry)
            except ValueError:
                bad(_("“%(value)s” is not a date (YYYY-MM-DD)."), {"value": expiry})
                continue
        if any(code == seen for seen, _e in out):
            bad(_("The skill %(skill)s is listed twice."), {"skill": code})
            continue
        out.append((code, expires))
    return tuple(out)


def parse_moment(value: str, tz: tzinfo) -> datetime | None:
    """An ISO 8601 date-time (or date: its midnight); without an offset it is read in ``tz``."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value.strip()), time(0, 0))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _availability(value: str, tz: tzinfo, bad: Any) -> tuple[tuple[datetime, datetime], ...]:
    windows: list[tuple[datetime, datetime]] = []
    for part in (p.strip() for p in value.replace("\n", ";").split(";")):
        if not part:
            continue
        start_text, sep, end_text = part.partition("/")
        start, end = parse_moment(start_text, tz), parse_moment(end_text, tz) if sep else None
        if start is None or end is None:
            bad(
                _(
                    "“%(value)s” is not a window: write start/end in ISO 8601, e.g. 2026-12-01T06:00+07:00/2026-12-02T06:00+07:00."
                ),
                {"value": part},
            )
            continue
        if end <= start:
            bad(_("In “%(value)s” the end is not after the start."), {"value": part})
            continue
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in pairwise(windows):
        if s2 < e1:
            bad(
                _("Availability windows overlap (%(first)s and %(second)s); merge them into one."),
                {
                    "first": f"{s1.isoformat()}/{e1.isoformat()}",
                    "second": f"{s2.isoformat()}/{e2.isoformat()}",
                },
            )
    return tuple(windows)


Row = TypeVar("Row", UnitRow, OfficerRow)


def _first_of_each_code(rows: list[Row], out: ForcesFile) -> list[Row]:
    """Report every repeated code; keep the first row of each."""
    first: dict[str, Row] = {}
    for row in rows:
        seen = first.setdefault(row.code, row)
        if seen is not row:
            out.problems.append(
                Problem(
                    _("The code %(code)s appears twice in the file (first at %(sheet)s row %(row)s)."),
                    {"code": row.code, "sheet": seen.sheet, "row": seen.row},
                    sheet=row.sheet,
                    row=row.row,
                    column=row.columns.get("code", "code"),
                )
            )
    return list(first.values())


def _duplicates(out: ForcesFile) -> None:
    out.units = _first_of_each_code(out.units, out)
    out.officers = _first_of_each_code(out.officers, out)


# --- the template ----------------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """An empty workbook with the two sheets and a third that explains every column in vi and en."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    units = book.active
    assert units is not None
    units.title = "units"
    append_row(units, UNIT_COLUMNS)
    officers = book.create_sheet("officers")
    append_row(officers, OFFICER_COLUMNS)
    guide = book.create_sheet("README")
    append_row(guide, ["sheet", "column", "Tiếng Việt", "English", "example"])
    for row in GUIDE:
        append_row(guide, row)
    for sheet in (units, officers, guide):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter in "ABCDEFGHIJ":
            sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GUIDE: tuple[tuple[str, str, str, str, str], ...] = (
    ("units", "code", "Mã đơn vị (bắt buộc, khóa ổn định)", "Unit code (required, stable key)", "CAT-QN"),
    ("units", "name_vi", "Tên tiếng Việt (bắt buộc)", "Vietnamese name (required)", "Công an tỉnh Quảng Nam"),
    (
        "units",
        "name_en",
        "Tên tiếng Anh (bắt buộc)",
        "English name (required)",
        "Quảng Nam Provincial Police",
    ),
    ("units", "parent_code", "Mã đơn vị cấp trên", "Code of the parent unit", "BCA"),
    ("units", "commander_code", "Số hiệu cán bộ chỉ huy", "Service number of the commander", "CA00001"),
    (
        "officers",
        "code",
        "Số hiệu (bắt buộc, khóa ổn định)",
        "Service number (required, stable key)",
        "CA00001",
    ),
    ("officers", "full_name", "Họ và tên (bắt buộc)", "Full name (required)", "Nguyễn Văn An"),
    ("officers", "rank", "Cấp bậc", "Rank", "Thượng úy"),
    ("officers", "unit_code", "Mã đơn vị (bắt buộc)", "Unit code (required)", "CAT-QN"),
    ("officers", "call_sign", "Hô hiệu", "Call sign", "QN-0001"),
    ("officers", "phone", "Điện thoại", "Phone", "0912345678"),
    (
        "officers",
        "clearance",
        "Độ mật: 0-3 hoặc không/mật/tối mật/tuyệt mật",
        "Clearance: 0-3 or none/confidential/secret/top secret",
        "mật",
    ),
    (
        "officers",
        "skills",
        "Kỹ năng: mã[:hạn dùng]; cách nhau bằng ;",
        "Skills: code[:expiry date], separated by ;",
        "checkpoint:2026-12-31;traffic",
    ),
    (
        "officers",
        "availability",
        "Thời gian sẵn sàng: bắt đầu/kết thúc (ISO 8601); cách nhau bằng ;",
        "Availability: start/end (ISO 8601), separated by ;",
        "2026-12-01T06:00+07:00/2026-12-04T00:00+07:00",
    ),
    ("officers", "home_base", "Mã địa điểm đóng quân", "Site code of the home base", "QN-CP"),
)
