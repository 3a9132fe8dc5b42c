"""Demo planning data: sites, forces, posts, programme, requirements and a deliberately imperfect roster.

The summit is modelled on the 36th ASEAN Summit events in Hội An, Quảng Nam (real place names, approximate
coordinates); the congress in Nam Định gets a smaller set. Everything is generated deterministically.

Volume (about 1,200 officers, 120 posts, 60 programme items, thousands of requirements and assignments) is
written with ``bulk_create`` so the demo seeds in seconds. For the same reason the services (one audit
entry per write) are not called row by row: each event gets one summary audit entry ``planning.seed_demo``
with the counts, instead of some 20,000 entries.

Idempotent: an event that already has units is left alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Any

from antt.audit import services as audit
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RequirementRule,
    RestRules,
    Site,
)

# --- what the demo is made of ----------------------------------------------------------------------------

SKILLS = (
    ("checkpoint", "Kiểm soát tại chốt", "Checkpoint control"),
    ("patrol", "Tuần tra", "Patrol"),
    ("traffic", "Điều khiển giao thông", "Traffic control"),
    ("close_protection", "Bảo vệ tiếp cận", "Close protection"),
    ("eod", "Xử lý vật liệu nổ", "Explosive ordnance disposal"),
    ("k9", "Chó nghiệp vụ", "K9"),
    ("medical", "Y tế", "Medical"),
    ("interpreter_en", "Phiên dịch tiếng Anh", "Interpreter (English)"),
    ("command", "Chỉ huy", "Command"),
)

POST_KINDS = {
    "fixed": ("Chốt cố định", "Fixed post", "F"),
    "checkpoint": ("Chốt kiểm soát", "Checkpoint", "C"),
    "patrol": ("Tuần tra", "Patrol", "T"),
    "reserve": ("Lực lượng dự bị", "Reserve", "R"),
    "medical": ("Điểm y tế", "Medical post", "Y"),
    "command": ("Chỉ huy", "Command", "H"),
}

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Công", "Xuân", "Anh", "Bảo")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Hà",
    "Lan",
    "Linh",
    "Mai",
    "Hương",
    "Thảo",
    "Trang",
    "Yến",
    "Đạt",
    "Hiếu",
    "Lộc",
    "Nhân",
    "Phúc",
    "Tâm",
)
RANKS = (
    "Hạ sĩ",
    "Trung sĩ",
    "Thượng sĩ",
    "Thiếu úy",
    "Trung úy",
    "Thượng úy",
    "Đại úy",
    "Thiếu tá",
    "Trung tá",
    "Thượng tá",
)
ASEAN = (
    "Brunei",
    "Campuchia",
    "Indonesia",
    "Lào",
    "Malaysia",
    "Myanmar",
    "Philippines",
    "Singapore",
    "Thái Lan",
    "Việt Nam",
)


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(*positions: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def box(lon: float, lat: float, half: float = 0.0015) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name_vi: str
    name_en: str
    kind: str
    geometry: dict[str, Any]
    posts: tuple[tuple[str, int], ...] = ()
    parent: str | None = None
    risk: int = 2
    address: str = ""
    daily_hours: tuple[int, int] | None = None  # opening hours, local (from, to)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name_vi: str
    name_en: str
    parent: str | None
    officers: int
    skills: tuple[str, ...]  # the first is everyone's; the others are spread
    clearance: tuple[int, int] = (0, 2)
    from_day: int = 0  # reinforcements available from this day (06:00)


@dataclass(frozen=True)
class RuleSpec:
    post_kind: str
    skill: str
    headcount: int = 1
    min_clearance: int = 0
    lead: int = 60
    lag: int = 30


@dataclass(frozen=True)
class ItemSpec:
    day: int
    hour: float
    minutes: int
    kind: str
    code: str
    name_vi: str
    name_en: str
    sites: tuple[str, ...]
    rules: tuple[RuleSpec, ...]
    protection: int = 1
    delegations: tuple[str, ...] = ()


@dataclass(frozen=True)
class StandingSpec:
    """Round-the-clock demand entered by hand: ``headcount`` per post of ``post_kind`` at ``site``."""

    site: str
    post_kind: str
    skill: str
    headcount: int = 1


@dataclass(frozen=True)
class PlanSpec:
    sites: tuple[SiteSpec, ...]
    units: tuple[UnitSpec, ...]
    items: tuple[ItemSpec, ...]
    standing: tuple[StandingSpec, ...]
    gaps: int = 5  # requirements deliberately left one officer short
    seed: int = 36


# --- the summit ------------------------------------------------------------------------------------------

ICC = (108.3567, 15.8893)
SUMMIT_SITES = (
    SiteSpec(
        "HA-ICC",
        "Trung tâm Hội nghị Quốc tế Hội An",
        "Hội An International Convention Centre",
        "venue",
        box(*ICC, 0.003),
        (("patrol", 4), ("reserve", 2), ("checkpoint", 4)),
        risk=4,
        address="Lạc Long Quân, Điện Dương, Điện Bàn, Quảng Nam",
    ),
    SiteSpec(
        "HA-ICC-PLEN",
        "Hội trường phiên toàn thể",
        "Plenary hall",
        "zone",
        box(108.3562, 15.8897, 0.0007),
        (("fixed", 6), ("checkpoint", 2)),
        parent="HA-ICC",
        risk=4,
    ),
    SiteSpec(
        "HA-ICC-BIL",
        "Khu gặp song phương",
        "Bilateral meeting rooms",
        "zone",
        box(108.3574, 15.8899, 0.0005),
        (("fixed", 4), ("checkpoint", 2)),
        parent="HA-ICC",
        risk=4,
    ),
    SiteSpec(
        "HA-ICC-PRESS",
        "Trung tâm báo chí quốc tế",
        "International press centre",
        "zone",
        box(108.3555, 15.8884, 0.0006),
        (("checkpoint", 3), ("fixed", 2)),
        parent="HA-ICC",
        risk=3,
    ),
    SiteSpec(
        "HA-ICC-GATE",
        "Cổng đón đại biểu",
        "Delegates' entrance",
        "zone",
        box(108.3580, 15.8886, 0.0004),
        (("checkpoint", 6), ("patrol", 2)),
        parent="HA-ICC",
        risk=4,
    ),
    SiteSpec(
        "HA-ICC-MED",
        "Điểm y tế Trung tâm Hội nghị",
        "Convention centre medical post",
        "zone",
        point(108.3571, 15.8889),
        (("medical", 2),),
        parent="HA-ICC",
    ),
    SiteSpec(
        "HTL-NAMHAI",
        "Khu nghỉ dưỡng Four Seasons The Nam Hai",
        "Four Seasons Resort The Nam Hai",
        "hotel",
        box(108.3640, 15.9160),
        (("fixed", 4), ("checkpoint", 2), ("patrol", 1)),
        risk=3,
        address="Hà My Đông B, Điện Dương, Điện Bàn, Quảng Nam",
    ),
    SiteSpec(
        "HTL-VICTORIA",
        "Khu nghỉ dưỡng Victoria Hội An",
        "Victoria Hội An Beach Resort",
        "hotel",
        box(108.3640, 15.8955),
        (("fixed", 4), ("checkpoint", 2), ("patrol", 1)),
        risk=3,
        address="Cửa Đại, Hội An, Quảng Nam",
    ),
    SiteSpec(
        "HTL-PALM",
        "Khu nghỉ dưỡng Palm Garden Hội An",
        "Palm Garden Beach Resort Hội An",
        "hotel",
        box(108.3615, 15.8990),
        (("fixed", 4), ("checkpoint", 2), ("patrol", 1)),
        risk=3,
        address="Lạc Long Quân, Cửa Đại, Hội An, Quảng Nam",
    ),
    SiteSpec(
        "HTL-ANANTARA",
        "Khách sạn Anantara Hội An",
        "Anantara Hội An Resort",
        "hotel",
        box(108.3345, 15.8770),
        (("fixed", 4), ("checkpoint", 2), ("patrol", 1)),
        risk=3,
        address="1 Phạm Hồng Thái, Hội An, Quảng Nam",
    ),
    SiteSpec(
        "HTL-HYATT",
        "Khách sạn Hyatt Regency Đà Nẵng",
        "Hyatt Regency Đà Nẵng Resort",
        "hotel",
        box(108.2630, 16.0125),
        (("fixed", 4), ("checkpoint", 2), ("patrol", 1)),
        risk=3,
        address="5 Trường Sa, Ngũ Hành Sơn, Đà Nẵng",
    ),
    SiteSpec(
        "AP-DAD",
        "Cảng hàng không quốc tế Đà Nẵng",
        "Đà Nẵng International Airport",
        "airport",
        box(108.1994, 16.0439, 0.004),
        (("checkpoint", 4), ("fixed", 3), ("patrol", 1)),
        risk=4,
        address="Duy Tân, Hải Châu, Đà Nẵng",
    ),
    SiteSpec(
        "RT-DAD-HA",
        "Tuyến đường sân bay Đà Nẵng - Hội An",
        "Đà Nẵng airport - Hội An route",
        "route",
        line(
            (108.1994, 16.0439),
            (108.2230, 16.0310),
            (108.2500, 15.9990),
            (108.2720, 15.9610),
            (108.3000, 15.9330),
            (108.3300, 15.9050),
            (108.3567, 15.8893),
        ),
        (("patrol", 10),),
        risk=3,
    ),
    SiteSpec(
        "RT-COAST",
        "Tuyến đường ven biển Lạc Long Quân",
        "Lạc Long Quân coastal road",
        "route",
        line((108.3640, 15.9160), (108.3600, 15.9000), (108.3567, 15.8893), (108.3640, 15.8955)),
        (("patrol", 6),),
        risk=3,
    ),
    SiteSpec(
        "TOUR-OLDTOWN",
        "Phố cổ Hội An",
        "Hội An Ancient Town",
        "tour_stop",
        box(108.3285, 15.8775, 0.002),
        (("checkpoint", 4), ("patrol", 2)),
        risk=3,
        address="Hội An, Quảng Nam",
        daily_hours=(6, 22),
    ),
    SiteSpec(
        "TOUR-CHUACAU",
        "Chùa Cầu",
        "Japanese Covered Bridge",
        "tour_stop",
        point(108.3260, 15.8773),
        (("fixed", 2),),
        parent="TOUR-OLDTOWN",
        daily_hours=(6, 22),
    ),
    SiteSpec(
        "TOUR-PHUCKIEN",
        "Hội quán Phúc Kiến",
        "Phúc Kiến Assembly Hall",
        "tour_stop",
        point(108.3302, 15.8777),
        (("fixed", 2),),
        parent="TOUR-OLDTOWN",
        daily_hours=(6, 22),
    ),
    SiteSpec(
        "CP-THANHHA",
        "Làng gốm Thanh Hà",
        "Thanh Hà pottery village",
        "tour_stop",
        point(108.3064, 15.8813),
        (("fixed", 2), ("checkpoint", 1)),
        address="Thanh Hà, Hội An, Quảng Nam",
    ),
    SiteSpec(
        "CP-TRAQUE",
        "Làng rau Trà Quế",
        "Trà Quế vegetable village",
        "tour_stop",
        point(108.3404, 15.9023),
        (("fixed", 2), ("checkpoint", 1)),
        address="Cẩm Hà, Hội An, Quảng Nam",
    ),
    SiteSpec(
        "HOSP-QN",
        "Bệnh viện Đa khoa tỉnh Quảng Nam",
        "Quảng Nam Provincial General Hospital",
        "hospital",
        point(108.4745, 15.5712),
        (("medical", 2), ("fixed", 1)),
        address="Tam Kỳ, Quảng Nam",
    ),
    SiteSpec(
        "CMD-HA",
        "Sở chỉ huy tiền phương Hội An",
        "Hội An forward command post",
        "command_post",
        point(108.3380, 15.8800),
        (("command", 2), ("reserve", 1)),
        risk=4,
        address="Trần Hưng Đạo, Hội An, Quảng Nam",
    ),
)

SUMMIT_UNITS = (
    UnitSpec("CAQN", "Công an tỉnh Quảng Nam", "Quảng Nam Provincial Police", None, 25, ("command",), (2, 3)),
    UnitSpec("CAQN-CSCD", "Phòng Cảnh sát cơ động", "Mobile Police Division", "CAQN", 0, ("checkpoint",)),
    UnitSpec("CAQN-CSGT", "Phòng Cảnh sát giao thông", "Traffic Police Division", "CAQN", 0, ("traffic",)),
    UnitSpec(
        "CAQN-ANCT",
        "Phòng An ninh chính trị nội bộ",
        "Internal Security Division",
        "CAQN",
        40,
        ("checkpoint", "interpreter_en"),
        (1, 3),
    ),
    UnitSpec(
        "CAQN-PCCC",
        "Phòng Cảnh sát PCCC và CNCH",
        "Fire and Rescue Police Division",
        "CAQN",
        40,
        ("patrol", "medical"),
    ),
    UnitSpec("CAQN-HA", "Công an thành phố Hội An", "Hội An City Police", "CAQN", 0, ("patrol",)),
    UnitSpec(
        "CAQN-DB", "Công an thị xã Điện Bàn", "Điện Bàn Town Police", "CAQN", 50, ("patrol", "checkpoint")
    ),
    UnitSpec(
        "BTLCV",
        "Bộ Tư lệnh Cảnh vệ (tăng cường)",
        "Guard High Command (reinforcement)",
        None,
        0,
        ("close_protection",),
        (2, 3),
    ),
    UnitSpec(
        "CADN", "Công an thành phố Đà Nẵng (hỗ trợ)", "Đà Nẵng City Police (support)", None, 0, ("traffic",)
    ),
    UnitSpec(
        "YTQN",
        "Sở Y tế Quảng Nam (tổ y tế)",
        "Quảng Nam Health Department (medical teams)",
        None,
        0,
        ("medical",),
    ),
    *(
        UnitSpec(
            f"CAQN-CSCD-{n}",
            f"Đại đội Cảnh sát cơ động {n}",
            f"Mobile Police Company {n}",
            "CAQN-CSCD",
            60,
            ("checkpoint", "patrol", "k9" if n == 4 else "eod" if n == 5 else "patrol"),
        )
        for n in range(1, 7)
    ),
    *(
        UnitSpec(
            f"CAQN-CSGT-{n}",
            f"Đội Cảnh sát giao thông số {n}",
            f"Traffic Police Team {n}",
            "CAQN-CSGT",
            50,
            ("traffic", "patrol"),
        )
        for n in range(1, 5)
    ),
    *(
        UnitSpec(
            f"CAQN-HA-{n}",
            f"Đội Cảnh sát trật tự Hội An {n}",
            f"Hội An Public Order Team {n}",
            "CAQN-HA",
            50,
            ("patrol", "checkpoint", "interpreter_en"),
        )
        for n in range(1, 4)
    ),
    *(
        UnitSpec(
            f"BTLCV-{n}",
            f"Đội Cảnh vệ {n}",
            f"Guard Team {n}",
            "BTLCV",
            55,
            ("close_protection", "checkpoint"),
            (2, 3),
        )
        for n in range(1, 4)
    ),
    *(
        UnitSpec(
            f"CADN-{n}",
            f"Đội hỗ trợ Đà Nẵng {n}",
            f"Đà Nẵng Support Team {n}",
            "CADN",
            50,
            ("traffic", "checkpoint"),
            from_day=1 if n == 2 else 0,
        )
        for n in range(1, 3)
    ),
    UnitSpec("YTQN-1", "Tổ y tế cơ động 1", "Mobile Medical Team 1", "YTQN", 35, ("medical",)),
    UnitSpec("YTQN-2", "Tổ y tế cơ động 2", "Mobile Medical Team 2", "YTQN", 35, ("medical",)),
)

CP = RuleSpec("checkpoint", "checkpoint", 1, 0, 90, 30)
CLOSE = RuleSpec("fixed", "close_protection", 1, 2, 60, 30)
PATROL = RuleSpec("patrol", "patrol", 1, 0, 60, 30)
TRAFFIC = RuleSpec("patrol", "traffic", 1, 0, 45, 15)
MED = RuleSpec("medical", "medical", 1, 0, 30, 30)


def _summit_items() -> tuple[ItemSpec, ...]:
    items: list[ItemSpec] = []
    hotels = ("HTL-NAMHAI", "HTL-VICTORIA", "HTL-PALM", "HTL-ANANTARA", "HTL-HYATT", "HTL-NAMHAI")
    for n in range(6):  # day 1: arrivals and motorcades to the hotels
        group = ASEAN[n * 2 % 10 : n * 2 % 10 + 2] if n < 5 else ("Úc", "New Zealand")
        names = ", ".join(group)
        hour = 8 + n * 1.5
        items.append(
            ItemSpec(
                0,
                hour,
                60,
                "arrival",
                f"ARR-{n + 1}",
                f"Đón đoàn {names}",
                f"Arrival of {names}",
                ("AP-DAD",),
                (CP, CLOSE, PATROL),
                2,
                group,
            )
        )
        items.append(
            ItemSpec(
                0,
                hour + 1,
                60,
                "motorcade",
                f"MOT-IN-{n + 1}",
                f"Đoàn xe {names} về khách sạn",
                f"Motorcade of {names} to the hotel",
                ("AP-DAD", "RT-DAD-HA", hotels[n]),
                (TRAFFIC, CLOSE),
                2,
                group,
            )
        )
    items += [
        ItemSpec(
            0,
            17,
            60,
            "press",
            "PRESS-0",
            "Họp báo khai mạc",
            "Opening press briefing",
            ("HA-ICC-PRESS",),
            (CP,),
            1,
        ),
        ItemSpec(
            0,
            19,
            150,
            "banquet",
            "BANQ-0",
            "Tiệc chiêu đãi chào mừng",
            "Welcome banquet",
            ("HA-ICC-PLEN", "HA-ICC-GATE"),
            (CP, CLOSE, MED),
            2,
            ASEAN,
        ),
        ItemSpec(
            0,
            15,
            90,
            "session",
            "SOM-0",
            "Họp quan chức cao cấp",
            "Senior officials' meeting",
            ("HA-ICC-BIL",),
            (CP, CLOSE),
            1,
        ),
    ]
    for day in (1, 2):  # summit days
        items += [
            ItemSpec(
                day,
                7.5,
                45,
                "motorcade",
                f"MOT-AM-{day}",
                "Đoàn xe từ khách sạn đến Trung tâm Hội nghị",
                "Motorcade from the hotels to the centre",
                ("RT-COAST", "HA-ICC-GATE"),
                (TRAFFIC,),
                2,
                ASEAN,
            ),
            ItemSpec(
                day,
                8.5,
                180,
                "session",
                f"PLEN-{day}A",
                f"Phiên toàn thể {day}A",
                f"Plenary session {day}A",
                ("HA-ICC-PLEN", "HA-ICC-GATE"),
                (CP, CLOSE, MED),
                3,
                ASEAN,
            ),
            ItemSpec(
                day,
                14,
                150,
                "session",
                f"PLEN-{day}B",
                f"Phiên toàn thể {day}B",
                f"Plenary session {day}B",
                ("HA-ICC-PLEN",),
                (CP, CLOSE),
                3,
                ASEAN,
            ),
            ItemSpec(
                day,
                12,
                90,
                "banquet",
                f"LUNCH-{day}",
                "Tiệc trưa làm việc",
                "Working lunch",
                ("HA-ICC-BIL",),
                (CP, CLOSE),
                2,
                ASEAN,
            ),
            ItemSpec(
                day,
                17,
                60,
                "press",
                f"PRESS-{day}",
                "Họp báo",
                "Press conference",
                ("HA-ICC-PRESS",),
                (CP,),
                1,
            ),
            ItemSpec(
                day,
                18,
                45,
                "motorcade",
                f"MOT-PM-{day}",
                "Đoàn xe về khách sạn",
                "Motorcade back to the hotels",
                ("HA-ICC-GATE", "RT-COAST"),
                (TRAFFIC,),
                2,
                ASEAN,
            ),
        ]
        for n in range(4):
            pair = (ASEAN[(day * 4 + n * 2) % 10], ASEAN[(day * 4 + n * 2 + 1) % 10])
            items.append(
                ItemSpec(
                    day,
                    16 + n * 0.75,
                    40,
                    "session",
                    f"BIL-{day}{n + 1}",
                    f"Gặp song phương {pair[0]} - {pair[1]}",
                    f"Bilateral meeting {pair[0]} - {pair[1]}",
                    ("HA-ICC-BIL",),
                    (CLOSE,),
                    3,
                    pair,
                )
            )
        companion = "CP-THANHHA" if day == 1 else "CP-TRAQUE"
        items += [
            ItemSpec(
                day,
                9,
                150,
                "companion",
                f"COMP-{day}",
                "Chương trình phu nhân/phu quân",
                "Companion programme visit",
                (companion,),
                (CP, CLOSE),
                2,
                ASEAN,
            ),
            ItemSpec(
                day,
                19.5,
                120,
                "tour",
                f"TOUR-{day}",
                "Tham quan phố cổ Hội An",
                "Hội An Ancient Town tour",
                ("TOUR-OLDTOWN", "TOUR-CHUACAU", "TOUR-PHUCKIEN"),
                (CP, CLOSE, PATROL),
                2,
                ASEAN,
            ),
        ]
    items += [
        ItemSpec(
            3,
            8,
            120,
            "session",
            "CLOSE",
            "Phiên bế mạc",
            "Closing session",
            ("HA-ICC-PLEN", "HA-ICC-GATE"),
            (CP, CLOSE, MED),
            3,
            ASEAN,
        ),
        ItemSpec(
            3,
            10.5,
            60,
            "press",
            "PRESS-3",
            "Họp báo bế mạc",
            "Closing press conference",
            ("HA-ICC-PRESS",),
            (CP,),
            1,
        ),
    ]
    items += [
        ItemSpec(
            0,
            6,
            180,
            "other",
            "SWEEP-0",
            "Rà soát an ninh Trung tâm Hội nghị",
            "Security sweep of the convention centre",
            ("HA-ICC",),
            (RuleSpec("checkpoint", "eod", 1, 1, 0, 0), RuleSpec("patrol", "k9", 1, 0, 0, 0)),
            2,
        ),
        ItemSpec(
            0,
            13,
            90,
            "other",
            "REH-0",
            "Tổng duyệt lễ đón",
            "Welcome ceremony rehearsal",
            ("HA-ICC-GATE",),
            (CP,),
            1,
        ),
        ItemSpec(
            1,
            8,
            30,
            "session",
            "WELCOME",
            "Lễ đón chính thức",
            "Official welcome ceremony",
            ("HA-ICC-GATE",),
            (CP, CLOSE),
            3,
            ASEAN,
        ),
        ItemSpec(
            2,
            11.75,
            20,
            "press",
            "PHOTO",
            "Chụp ảnh chung các Trưởng đoàn",
            "Family photo of the heads of delegation",
            ("HA-ICC-PLEN",),
            (CLOSE,),
            3,
            ASEAN,
        ),
        ItemSpec(
            3,
            8.5,
            120,
            "session",
            "BIZ",
            "Diễn đàn doanh nghiệp",
            "Business forum",
            ("HA-ICC-BIL",),
            (CP,),
            1,
        ),
        ItemSpec(
            3,
            11,
            45,
            "session",
            "SIGN",
            "Lễ ký kết văn kiện",
            "Signing ceremony",
            ("HA-ICC-PLEN",),
            (CLOSE,),
            3,
            ASEAN,
        ),
        ItemSpec(
            3,
            9,
            90,
            "companion",
            "COMP-3",
            "Tham quan Chùa Cầu",
            "Visit to the Japanese Covered Bridge",
            ("TOUR-CHUACAU",),
            (CLOSE,),
            2,
            ASEAN,
        ),
    ]
    for n in range(6):  # last day: departures
        group = ASEAN[n * 2 % 10 : n * 2 % 10 + 2] if n < 5 else ("Úc", "New Zealand")
        names = ", ".join(group)
        hour = 12 + n
        items.append(
            ItemSpec(
                3,
                hour,
                60,
                "motorcade",
                f"MOT-OUT-{n + 1}",
                f"Đoàn xe {names} ra sân bay",
                f"Motorcade of {names} to the airport",
                ("RT-DAD-HA", "AP-DAD"),
                (TRAFFIC,),
                2,
                group,
            )
        )
        items.append(
            ItemSpec(
                3,
                hour + 1,
                45,
                "departure",
                f"DEP-{n + 1}",
                f"Tiễn đoàn {names}",
                f"Departure of {names}",
                ("AP-DAD",),
                (CP, CLOSE),
                2,
                group,
            )
        )
    return tuple(items)


SUMMIT = PlanSpec(
    sites=SUMMIT_SITES,
    units=SUMMIT_UNITS,
    items=_summit_items(),
    standing=(
        StandingSpec("CMD-HA", "command", "command"),
        StandingSpec("HOSP-QN", "medical", "medical"),
        StandingSpec("HA-ICC-MED", "medical", "medical"),
        StandingSpec("HA-ICC", "patrol", "patrol"),
        StandingSpec("HA-ICC", "checkpoint", "checkpoint"),
        *(
            StandingSpec(code, "checkpoint", "checkpoint")
            for code in ("HTL-NAMHAI", "HTL-VICTORIA", "HTL-PALM", "HTL-ANANTARA", "HTL-HYATT")
        ),
    ),
    gaps=5,
    seed=36,
)

# --- the congress ----------------------------------------------------------------------------------------

CONGRESS = PlanSpec(
    sites=(
        SiteSpec(
            "ND-CC",
            "Trung tâm Hội nghị tỉnh Nam Định",
            "Nam Định Provincial Conference Centre",
            "venue",
            box(106.1755, 20.4335, 0.002),
            (("checkpoint", 4), ("fixed", 3), ("patrol", 2), ("medical", 1)),
            risk=3,
            address="Trần Hưng Đạo, TP Nam Định",
        ),
        SiteSpec(
            "ND-HTL-1",
            "Khách sạn Mường Thanh Grand Nam Định",
            "Mường Thanh Grand Nam Định Hotel",
            "hotel",
            box(106.1790, 20.4280),
            (("checkpoint", 2), ("fixed", 1)),
        ),
        SiteSpec(
            "ND-HTL-2",
            "Khách sạn Vị Hoàng",
            "Vị Hoàng Hotel",
            "hotel",
            box(106.1700, 20.4220),
            (("checkpoint", 2), ("fixed", 1)),
        ),
        SiteSpec(
            "ND-RT",
            "Tuyến đường Trần Hưng Đạo - Hùng Vương",
            "Trần Hưng Đạo - Hùng Vương route",
            "route",
            line((106.1700, 20.4220), (106.1760, 20.4260), (106.1790, 20.4280), (106.1755, 20.4335)),
            (("patrol", 3),),
        ),
        SiteSpec(
            "ND-HOSP",
            "Bệnh viện Đa khoa tỉnh Nam Định",
            "Nam Định Provincial General Hospital",
            "hospital",
            point(106.1820, 20.4310),
            (("medical", 1),),
        ),
        SiteSpec(
            "ND-CMD",
            "Sở chỉ huy Công an tỉnh Nam Định",
            "Nam Định Police command post",
            "command_post",
            point(106.1730, 20.4300),
            (("command", 1),),
        ),
    ),
    units=(
        UnitSpec(
            "CAND", "Công an tỉnh Nam Định", "Nam Định Provincial Police", None, 8, ("command",), (2, 3)
        ),
        UnitSpec(
            "CAND-CSCD",
            "Phòng Cảnh sát cơ động",
            "Mobile Police Division",
            "CAND",
            50,
            ("checkpoint", "patrol"),
        ),
        UnitSpec(
            "CAND-CSGT",
            "Phòng Cảnh sát giao thông",
            "Traffic Police Division",
            "CAND",
            40,
            ("traffic", "patrol"),
        ),
        UnitSpec(
            "CAND-ANCT",
            "Phòng An ninh chính trị nội bộ",
            "Internal Security Division",
            "CAND",
            40,
            ("checkpoint", "close_protection"),
            (1, 3),
        ),
        UnitSpec(
            "CAND-TP",
            "Công an thành phố Nam Định",
            "Nam Định City Police",
            "CAND",
            40,
            ("patrol", "checkpoint"),
        ),
        UnitSpec(
            "YTND",
            "Tổ y tế Sở Y tế Nam Định",
            "Nam Định Health Department medical team",
            None,
            20,
            ("medical",),
        ),
    ),
    items=tuple(
        spec
        for day in range(4)
        for spec in (
            ItemSpec(
                day,
                7.5,
                30,
                "motorcade",
                f"MOT-{day}",
                "Đưa đón đại biểu",
                "Delegate shuttle",
                ("ND-RT", "ND-CC"),
                (TRAFFIC,),
                1,
            ),
            ItemSpec(
                day,
                8,
                210,
                "session",
                f"SES-{day}A",
                f"Phiên họp ngày {day + 1} (sáng)",
                f"Day {day + 1} morning session",
                ("ND-CC",),
                (CP, CLOSE, MED),
                2,
            ),
            ItemSpec(
                day,
                14,
                180,
                "session",
                f"SES-{day}B",
                f"Phiên họp ngày {day + 1} (chiều)",
                f"Day {day + 1} afternoon session",
                ("ND-CC",),
                (CP, CLOSE),
                2,
            ),
        )
    ),
    standing=(StandingSpec("ND-CMD", "command", "command"), StandingSpec("ND-HOSP", "medical", "medical")),
    gaps=2,
    seed=20,
)

SPECS = {"demo-summit": SUMMIT, "demo-congress": CONGRESS}
SHIFT_HOURS = (6, 14, 22)
REST_GAP = timedelta(hours=12)  # the seeding keeps 12 h between duties, so the rest rules hold


# --- seeding ---------------------------------------------------------------------------------------------


@dataclass
class _Roster:
    """Who is busy when, for the greedy filling of requirements."""

    duties: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=lambda: defaultdict(list))

    def free(self, officer_id: int, start: datetime, end: datetime) -> bool:
        return all(end + REST_GAP <= s or start >= e + REST_GAP for s, e in self.duties[officer_id])

    def take(self, officer_id: int, start: datetime, end: datetime) -> None:
        self.duties[officer_id].append((start, end))


def seed_event(event: Any, *, actor: Any) -> dict[str, int]:
    """Seed the demo plan of ``event`` (demo-summit or demo-congress) once; {} when already there."""
    spec = SPECS.get(event.code)
    if spec is None or Unit.objects.filter(event=event).exists():
        return {}
    rng = random.Random(spec.seed)  # noqa: S311 - deterministic demo data, not security
    tz = event.tz
    day0 = event.starts_at.astimezone(tz).date()

    def at(day: int, hour: float) -> datetime:
        whole = int(hour)
        return datetime.combine(
            day0 + timedelta(days=day), time(whole, round((hour - whole) * 60)), tzinfo=tz
        )

    skills = {code: Skill(event=event, code=code, name_vi=vi, name_en=en) for code, vi, en in SKILLS}
    Skill.objects.bulk_create(skills.values())
    skills = {s.code: s for s in Skill.objects.filter(event=event)}

    # Sites (parents first) and posts.
    sites: dict[str, Site] = {}
    for site_spec in spec.sites:
        windows = None
        if site_spec.daily_hours:
            low, high = site_spec.daily_hours
            windows = [
                {"starts_at": at(d, low).isoformat(), "ends_at": at(d, high).isoformat()}
                for d in range(-1, 6)
            ]
        site = Site(
            event=event,
            code=site_spec.code,
            name_vi=site_spec.name_vi,
            name_en=site_spec.name_en,
            kind=site_spec.kind,
            geometry=site_spec.geometry,
            address=site_spec.address,
            risk_level=site_spec.risk,
            parent=sites.get(site_spec.parent or ""),
            opening_windows=windows,
        )
        site.refresh_search_text()
        site.save()
        sites[site.code] = site
    posts: list[Post] = []
    for site_spec in spec.sites:
        site = sites[site_spec.code]
        anchor = _anchor(site_spec.geometry)
        for kind, count in site_spec.posts:
            kind_vi, kind_en, letter = POST_KINDS[kind]
            for n in range(1, count + 1):
                positions = (
                    site_spec.geometry["coordinates"] if site_spec.geometry["type"] == "LineString" else None
                )
                where = (
                    positions[(n - 1) % len(positions)]
                    if positions
                    else [anchor[0] + 0.0002 * n, anchor[1] + 0.0001 * n]
                )
                posts.append(
                    Post(
                        event=event,
                        site=site,
                        code=f"{site.code}-{letter}{n:02d}",
                        name_vi=f"{kind_vi} số {n} - {site.name_vi}",
                        name_en=f"{kind_en} {n} - {site.name_en}",
                        kind=kind,
                        geometry=point(round(where[0], 6), round(where[1], 6)),
                        orders=_orders(kind),
                        check_in_minutes=15 if kind in {"checkpoint", "fixed"} else 30,
                    )
                )
    Post.objects.bulk_create(posts)
    posts = list(Post.objects.filter(event=event).order_by("pk"))
    posts_at: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        posts_at[post.site_id].append(post)
    children: dict[int, list[int]] = defaultdict(list)
    for site in sites.values():
        if site.parent_id:
            children[site.parent_id].append(site.pk)

    # Units and officers.
    units: dict[str, Unit] = {}
    for unit_spec in spec.units:
        unit = Unit(
            event=event,
            code=unit_spec.code,
            name_vi=unit_spec.name_vi,
            name_en=unit_spec.name_en,
            parent=units.get(unit_spec.parent or ""),
        )
        unit.refresh_search_text()
        unit.save()
        units[unit.code] = unit
    officers: list[Officer] = []
    held: list[tuple[int, str]] = []  # (officer index, skill code)
    for unit_spec in spec.units:
        for _n in range(unit_spec.officers):
            index = len(officers)
            low, high = unit_spec.clearance
            availability = None
            if unit_spec.from_day:
                availability = [
                    {"starts_at": at(unit_spec.from_day, 6).isoformat(), "ends_at": event.ends_at.isoformat()}
                ]
            officer = Officer(
                event=event,
                code=f"CA{index + 1:05d}",
                full_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                rank=RANKS[min(len(RANKS) - 1, rng.randint(0, 6) + (3 if high == 3 else 0))],
                unit=units[unit_spec.code],
                call_sign=f"{unit_spec.code.split('-')[-1]}-{index + 1:04d}",
                phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                clearance=rng.randint(low, high),
                home_base=sites.get(spec.sites[-1].code),
                availability=availability,
            )
            officer.refresh_search_text()
            officers.append(officer)
            first, *others = dict.fromkeys(unit_spec.skills)
            held.append((index, first))
            for other in others:
                if rng.random() < 0.5:
                    held.append((index, other))
    Officer.objects.bulk_create(officers)
    officers = list(Officer.objects.filter(event=event).order_by("pk"))
    for unit_spec in spec.units:  # the first officer of a unit with people commands it
        unit = units[unit_spec.code]
        first_officer = next((o for o in officers if o.unit_id == unit.pk), None)
        if first_officer:
            unit.commander = first_officer
            unit.save(update_fields=["commander"])
    OfficerSkill.objects.bulk_create(
        [
            OfficerSkill(officer=officers[i], skill=skills[code], expires_on=day0 + timedelta(days=365))
            for i, code in held
        ]
    )

    # Programme, rules and the requirements they derive (same arithmetic as services.derive_requirements).
    items = [
        ProgrammeItem(
            event=event,
            code=item.code,
            name_vi=item.name_vi,
            name_en=item.name_en,
            kind=item.kind,
            starts_at=at(item.day, item.hour),
            ends_at=at(item.day, item.hour) + timedelta(minutes=item.minutes),
            protection_level=item.protection,
            delegations=list(item.delegations),
        )
        for item in spec.items
    ]
    ProgrammeItem.objects.bulk_create(items)
    items = list(ProgrammeItem.objects.filter(event=event).order_by("pk"))
    stops, rules = [], []
    for item, item_spec in zip(items, spec.items, strict=True):
        for position, code in enumerate(item_spec.sites):
            stops.append(ProgrammeItemSite(item=item, site=sites[code], position=position))
        for rule_spec in item_spec.rules:
            rules.append(
                RequirementRule(
                    event=event,
                    programme_item=item,
                    post_kind=rule_spec.post_kind,
                    skill=skills[rule_spec.skill],
                    headcount=rule_spec.headcount,
                    min_clearance=rule_spec.min_clearance,
                    lead_minutes=rule_spec.lead,
                    lag_minutes=rule_spec.lag,
                )
            )
    ProgrammeItemSite.objects.bulk_create(stops)
    RequirementRule.objects.bulk_create(rules)
    requirements: list[Requirement] = []
    item_sites: dict[int, list[int]] = defaultdict(list)
    for stop in stops:
        item_sites[stop.item_id].append(stop.site_id)
    for rule in RequirementRule.objects.filter(event=event).select_related("programme_item").order_by("pk"):
        item = rule.programme_item
        site_ids = item_sites[item.pk] + [c for s in item_sites[item.pk] for c in children[s]]
        for site_id in dict.fromkeys(site_ids):
            for post in posts_at[site_id]:
                if post.kind == rule.post_kind:
                    requirements.append(
                        Requirement(
                            event=event,
                            post=post,
                            starts_at=item.starts_at - timedelta(minutes=rule.lead_minutes),
                            ends_at=item.ends_at + timedelta(minutes=rule.lag_minutes),
                            skill_id=rule.skill_id,
                            headcount=rule.headcount,
                            min_clearance=rule.min_clearance,
                            rule=rule,
                            programme_item=item,
                        )
                    )
    # Round-the-clock demand entered by hand, in three shifts (06-14, 14-22, 22-06).
    cuts = sorted(
        {event.starts_at, event.ends_at}
        | {at(d, h) for d in range(-1, 6) for h in SHIFT_HOURS if event.starts_at < at(d, h) < event.ends_at}
    )
    for standing in spec.standing:
        site = sites[standing.site]
        for post in posts_at[site.pk]:
            if post.kind != standing.post_kind:
                continue
            for start, end in pairwise(cuts):
                requirements.append(
                    Requirement(
                        event=event,
                        post=post,
                        starts_at=start,
                        ends_at=end,
                        skill=skills[standing.skill],
                        headcount=standing.headcount,
                    )
                )
    Requirement.objects.bulk_create(requirements)
    requirements = list(Requirement.objects.filter(event=event).order_by("starts_at", "pk"))

    # A realistic roster, filled greedily, then made imperfect on purpose.
    by_skill: dict[int, list[Officer]] = defaultdict(list)
    for i, code in held:
        by_skill[skills[code].pk].append(officers[i])
    for pool in by_skill.values():
        rng.shuffle(pool)
    cursor: dict[int, int] = defaultdict(int)
    available_from = {
        o.pk: datetime.fromisoformat(o.availability[0]["starts_at"]) for o in officers if o.availability
    }
    roster = _Roster()
    gap_every = max(1, len(requirements) // (spec.gaps + 1))
    gaps = {requirements[gap_every * (n + 1) - 1].pk for n in range(spec.gaps)}
    assignments: list[Assignment] = []
    for req in requirements:
        wanted = req.headcount - (1 if req.pk in gaps else 0)
        pool = by_skill[req.skill_id]
        tried = 0
        while wanted > 0 and tried < len(pool):
            officer = pool[(cursor[req.skill_id] + tried) % len(pool)]
            tried += 1
            if (
                officer.clearance < req.min_clearance
                or available_from.get(officer.pk, req.starts_at) > req.starts_at
            ):
                continue
            if not roster.free(officer.pk, req.starts_at, req.ends_at):
                continue
            roster.take(officer.pk, req.starts_at, req.ends_at)
            assignments.append(
                Assignment(
                    event=event,
                    officer=officer,
                    post_id=req.post_id,
                    starts_at=req.starts_at,
                    ends_at=req.ends_at,
                    skill_id=req.skill_id,
                    requirement=req,
                    status=Assignment.Status.PUBLISHED
                    if req.starts_at < at(1, 0)
                    else Assignment.Status.PLANNED,
                )
            )
            wanted -= 1
        cursor[req.skill_id] = (cursor[req.skill_id] + tried) % max(1, len(pool))
    # One double booking: the first gap is filled by an officer already on duty elsewhere at that time.
    for req in requirements:
        if req.pk not in gaps:
            continue
        busy = next(
            (
                a
                for a in assignments
                if a.skill_id == req.skill_id
                and a.starts_at < req.ends_at
                and req.starts_at < a.ends_at
                and a.post_id != req.post_id
                and a.officer.clearance >= req.min_clearance
            ),
            None,
        )
        if busy is not None:
            assignments.append(
                Assignment(
                    event=event,
                    officer=busy.officer,
                    post_id=req.post_id,
                    starts_at=req.starts_at,
                    ends_at=req.ends_at,
                    skill_id=req.skill_id,
                    requirement=req,
                )
            )
            break
    Assignment.objects.bulk_create(assignments)
    # One expired skill: the checkpoint qualification of an officer on duty lapsed the day before the event.
    checkpoint = skills["checkpoint"].pk
    lapsed = next((a.officer_id for a in assignments if a.skill_id == checkpoint), None)
    if lapsed is not None:
        OfficerSkill.objects.filter(officer_id=lapsed, skill_id=checkpoint).update(
            expires_on=day0 - timedelta(days=1)
        )
    RestRules.objects.create(
        event=event, min_rest_minutes=8 * 60, max_duty_minutes_per_24h=12 * 60, max_consecutive_days=4
    )
    counts = {
        "units": len(units),
        "officers": len(officers),
        "sites": len(sites),
        "posts": len(posts),
        "programme_items": len(items),
        "requirements": len(requirements),
        "assignments": len(assignments),
    }
    audit.record(actor=actor, action="planning.seed_demo", target=event, event=event, changes=counts)
    return counts


def _anchor(geometry: dict[str, Any]) -> list[float]:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Point":
        return list(coordinates)
    if geometry["type"] == "LineString":
        return list(coordinates[0])
    ring = coordinates[0]
    return [sum(p[0] for p in ring[:-1]) / (len(ring) - 1), sum(p[1] for p in ring[:-1]) / (len(ring) - 1)]


def _orders(kind: str) -> str:
    return {
        "checkpoint": "Kiểm tra thẻ, soi chiếu người và phương tiện; không để người không phận sự vào khu vực.",
        "fixed": "Bảo vệ mục tiêu; báo cáo ngay mọi dấu hiệu bất thường về Sở chỉ huy.",
        "patrol": "Tuần tra theo tuyến; giữ liên lạc 15 phút một lần; phân luồng khi có đoàn xe.",
        "reserve": "Sẵn sàng cơ động trong 5 phút theo lệnh chỉ huy.",
        "medical": "Trực cấp cứu; sẵn sàng chuyển viện theo phương án y tế.",
        "command": "Trực chỉ huy, nắm tình hình, điều phối lực lượng.",
    }[kind]


def link_demo_accounts(event: Any, *, actor: Any, field_officer: Any, unit_commander: Any) -> dict[str, str]:
    """Link the demo's field-officer account to an officer on duty and the unit-commander account to the
    commander of a unit (not a whole province), once per event; {} when already linked or nothing fits."""
    from django.db.models import Count

    if Officer.objects.filter(event=event, user__in=[field_officer, unit_commander]).exists():
        return {}
    commanders = set(
        Unit.objects.filter(event=event, commander__isnull=False).values_list("commander_id", flat=True)
    )
    linked: dict[str, str] = {}
    unit = (
        Unit.objects.filter(event=event, commander__isnull=False, parent__isnull=False)
        .annotate(people=Count("officers"))
        .order_by("-people", "code")
        .first()
    )
    if unit is not None and unit.commander_id is not None:
        Officer.objects.filter(pk=unit.commander_id).update(user=unit_commander)
        linked[unit_commander.username] = f"officer {unit.commander_id} (commands {unit.code})"
    duty = (
        Assignment.objects.filter(event=event)
        .exclude(officer_id__in=commanders)
        .order_by("starts_at", "officer__code")
        .first()
    )
    if duty is not None:
        Officer.objects.filter(pk=duty.officer_id).update(user=field_officer)
        linked[field_officer.username] = f"officer {duty.officer_id}"
    if linked:
        audit.record(
            actor=actor, action="planning.link_demo_accounts", target=event, event=event, changes=linked
        )
    return linked
