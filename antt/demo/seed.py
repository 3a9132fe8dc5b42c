"""The demo: two events modelled on our first users and one account per role.

Idempotent: running it again finds what exists and creates nothing twice. Later apps add their own
seeding to ``seed()`` (sites, forces, programme…).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from antt.accounts import services as account_services
from antt.accounts.models import User
from antt.core.permissions import Clearance, Role
from antt.demo import documents as documents_demo
from antt.demo import planning as planning_demo
from antt.demo import plans as plans_demo
from antt.demo import reports as reports_demo
from antt.events import services
from antt.events.models import Event, Membership

DEMO_PASSWORD = "antt-demo-2026"  # noqa: S105 - published on purpose; refused outside ANTT_DEMO


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    clearance: int


ADMIN = DemoAccount("demo-admin", "Quản trị hệ thống (Demo)", Role.COMMANDER, Clearance.TOP_SECRET)
ACCOUNTS = (
    DemoAccount("demo-commander", "Đại tá Nguyễn Văn Hùng", Role.COMMANDER, Clearance.TOP_SECRET),
    DemoAccount("demo-planner", "Thượng tá Trần Thị Lan", Role.PLANNER, Clearance.SECRET),
    DemoAccount("demo-dispatcher", "Trung tá Lê Minh Tuấn", Role.DISPATCHER, Clearance.CONFIDENTIAL),
    DemoAccount("demo-unit", "Thiếu tá Phạm Quốc Bảo", Role.UNIT_COMMANDER, Clearance.CONFIDENTIAL),
    DemoAccount("demo-officer", "Đại úy Võ Thị Hạnh", Role.FIELD_OFFICER, Clearance.NONE),
    DemoAccount("demo-observer", "Ông Đặng Văn Minh", Role.OBSERVER, Clearance.NONE),
    DemoAccount("demo-custodian", "Trung tá Hoàng Thị Mai", Role.DOCUMENT_CUSTODIAN, Clearance.TOP_SECRET),
)


@dataclass(frozen=True)
class DemoEvent:
    code: str
    name_vi: str
    name_en: str
    starts_in_days: int
    days: int


EVENTS = (
    DemoEvent(
        "demo-summit",
        "Hội nghị Cấp cao quốc tế tại Hội An, Quảng Nam (Demo)",
        "International Summit in Hội An, Quảng Nam (demo)",
        0,
        4,
    ),
    DemoEvent(
        "demo-congress",
        "Đại hội đại biểu Đảng bộ tỉnh Nam Định (Demo)",
        "Nam Định Provincial Party Congress (demo)",
        10,
        4,
    ),
)


def _user(account: DemoAccount, *, superuser: bool = False) -> User:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = account_services.create_user(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            full_name=account.full_name,
            is_demo=True,
            is_staff=superuser,
            is_superuser=superuser,
        )
    return user


@transaction.atomic
def seed(*, today: datetime | None = None) -> dict[str, Any]:
    """Create (or find) the demo accounts and events; return what the person needs to sign in."""
    tz = ZoneInfo(str(settings.DEFAULT_EVENT_TIME_ZONE))
    local_today = (today or timezone.now()).astimezone(tz).date()
    admin = _user(ADMIN, superuser=True)
    calendars: dict[str, str] = {}
    users = [_user(account) for account in ACCOUNTS]
    for spec in EVENTS:
        event = Event.objects.filter(code=spec.code).first()
        if event is None:
            start = datetime.combine(local_today + timedelta(days=spec.starts_in_days), time(0, 0), tzinfo=tz)
            event = services.create_event(
                actor=admin,
                code=spec.code,
                name_vi=spec.name_vi,
                name_en=spec.name_en,
                starts_at=start,
                ends_at=start + timedelta(days=spec.days),
                time_zone=str(tz),
            )
        existing = set(Membership.objects.filter(event=event).values_list("user_id", flat=True))
        for account, user in zip(ACCOUNTS, users, strict=True):
            if user.pk not in existing:
                services.add_member(
                    actor=admin, event=event, user=user, role=account.role, clearance=account.clearance
                )
        planning_demo.seed_event(event, actor=admin)
        plans_demo.seed_event(event, actor=admin)
        by_name = {account.username: user for account, user in zip(ACCOUNTS, users, strict=True)}
        planning_demo.link_demo_accounts(
            event, actor=admin, field_officer=by_name["demo-officer"], unit_commander=by_name["demo-unit"]
        )
        if spec.code == "demo-summit":
            calendars = reports_demo.seed_reports(
                event,
                planner=by_name["demo-planner"],
                commander=by_name["demo-commander"],
                field_officer=by_name["demo-officer"],
                unit_commander=by_name["demo-unit"],
            )
        documents_demo.seed_event(
            event,
            custodian=by_name["demo-custodian"],
            commander=by_name["demo-commander"],
            field_officer=by_name["demo-officer"],
            approver=admin,
        )
    return {
        "password": DEMO_PASSWORD,
        "accounts": [(ADMIN.username, "superuser + commander")]
        + [(a.username, str(a.role)) for a in ACCOUNTS],
        "events": [e.code for e in EVENTS],
        # The demo's duty-calendar addresses, made on the first seeding only (their secrets are not kept).
        "calendars": {name: f"/ical/{secret}.ics" for name, secret in calendars.items()},
    }


@transaction.atomic
def disable_accounts() -> int:
    """Deactivate every demo account (before a demo database is used for anything real)."""
    return User.objects.filter(is_demo=True, is_active=True).update(is_active=False)
