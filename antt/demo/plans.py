"""Demo plans for the summit: the overall security plan and four contingency plans, in every state.

Written through the services (so every version is hashed and audited): the demo planner writes and
submits, the commander who seeds approves (four eyes). Idempotent: a plan whose code exists is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from antt.core.permissions import Role
from antt.forces.models import Unit
from antt.planning.models import ProgrammeItem, Site
from antt.plans import services
from antt.plans.models import Plan

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

Task = tuple[str, str, str, int | None]  # unit code, text vi, text en, minutes after the trigger


@dataclass(frozen=True)
class DemoPlan:
    code: str
    kind: str
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str
    tasks: tuple[Task, ...]
    state: str  # approved, submitted, draft, approved+draft
    trigger_vi: str = ""
    trigger_en: str = ""
    sites: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    responsible: str = "CAQN"  # the unit whose commander answers for the plan
    # A second version (for "draft" and "approved+draft"): (change note, extra text vi, en, extra task).
    revision: tuple[str, str, str, Task] | None = None


PLANS = (
    DemoPlan(
        "KH-ANTT-01",
        Plan.Kind.PLAN,
        "Kế hoạch bảo đảm an ninh, trật tự Hội nghị Cấp cao",
        "Security and public order plan for the Summit",
        "I. MỤC ĐÍCH, YÊU CẦU\n"
        "Bảo đảm tuyệt đối an ninh, an toàn cho các đoàn đại biểu, không để xảy ra bị động, bất ngờ.\n"
        "Phân công, phân cấp cụ thể, rõ ràng; không để thiếu sót, sơ hở.\n"
        "II. NỘI DUNG\n"
        "1. Bảo vệ vòng trong tại Trung tâm Hội nghị Quốc tế Hội An và các khách sạn lưu trú.\n"
        "2. Bảo đảm giao thông tuyến sân bay Đà Nẵng - Hội An và các tuyến tham quan.\n"
        "3. Phòng cháy, chữa cháy và cứu nạn, cứu hộ; y tế thường trực.\n"
        "III. TỔ CHỨC THỰC HIỆN\n"
        "Sở chỉ huy tiền phương Hội An trực 24/24 giờ trong thời gian diễn ra Hội nghị.",
        "I. PURPOSE\n"
        "Keep every delegation absolutely safe and secure; leave nothing to surprise.\n"
        "Clear, specific assignment of who does what; no gaps, no loopholes.\n"
        "II. CONTENT\n"
        "1. Inner-ring protection at the Hội An International Convention Centre and the delegation hotels.\n"
        "2. Traffic on the Đà Nẵng airport - Hội An route and the tour routes.\n"
        "3. Fire prevention, rescue; medical standby.\n"
        "III. ORGANISATION\n"
        "The Hội An forward command post is staffed round the clock for the whole Summit.",
        (
            (
                "CAQN-ANCT",
                "Kiểm tra an ninh, cấp thẻ và kiểm soát ra vào khu vực hội nghị",
                "Security screening, passes and access control at the venue",
                None,
            ),
            (
                "CAQN-CSCD-1",
                "Lập chốt kiểm soát vòng ngoài Trung tâm Hội nghị",
                "Outer-ring checkpoints at the convention centre",
                None,
            ),
            (
                "CAQN-CSGT-1",
                "Dẫn đường, phân luồng tuyến sân bay - Hội An",
                "Escort and traffic control on the airport - Hội An route",
                None,
            ),
            (
                "BTLCV-1",
                "Bảo vệ tiếp cận nguyên thủ tại khách sạn và hội trường",
                "Close protection of heads of state at hotels and halls",
                None,
            ),
            (
                "CAQN-PCCC",
                "Thường trực chữa cháy, cứu nạn tại các địa điểm chính",
                "Fire and rescue standby at the main sites",
                None,
            ),
            (
                "YTQN-1",
                "Tổ y tế thường trực tại điểm y tế Trung tâm Hội nghị",
                "Medical team on standby at the venue's medical post",
                None,
            ),
        ),
        "approved",
        sites=("HA-ICC", "HTL-NAMHAI", "HTL-VICTORIA", "AP-DAD", "RT-DAD-HA", "CMD-HA"),
    ),
    DemoPlan(
        "PA-CHAY-ICC",
        Plan.Kind.CONTINGENCY,
        "Phương án chữa cháy, cứu nạn tại Trung tâm Hội nghị Quốc tế Hội An",
        "Fire at the Hội An International Convention Centre",
        "Khi có báo cháy: cắt điện khu vực, sơ tán đại biểu theo lối thoát hiểm về cổng phụ phía Đông,\n"
        "bảo vệ tiếp cận đưa nguyên thủ lên xe dự phòng, lực lượng PCCC triển khai chữa cháy.\n"
        "Điểm tập kết: bãi đỗ xe phía Đông. Sở chỉ huy tiền phương điều hành thống nhất.",
        "On a fire alarm: cut the power to the zone, evacuate delegates by the emergency exits to the east side\n"
        "gate, close protection moves heads of state to the standby cars, fire police fight the fire.\n"
        "Assembly point: east car park. The forward command post commands throughout.",
        (
            (
                "CAQN-PCCC",
                "Xác minh, chữa cháy và cứu nạn trong hội trường",
                "Confirm, fight the fire and rescue inside the hall",
                3,
            ),
            (
                "BTLCV-1",
                "Đưa nguyên thủ ra xe dự phòng qua lối thoát hiểm số 2",
                "Move heads of state to the standby cars by exit 2",
                2,
            ),
            (
                "CAQN-CSCD-2",
                "Phong tỏa, giữ trật tự tại điểm tập kết phía Đông",
                "Cordon and keep order at the east assembly point",
                5,
            ),
            (
                "YTQN-1",
                "Sơ cứu, phân loại nạn nhân tại điểm tập kết",
                "First aid and triage at the assembly point",
                5,
            ),
        ),
        "approved",
        trigger_vi="Báo cháy hoặc phát hiện khói, lửa tại Trung tâm Hội nghị Quốc tế Hội An",
        trigger_en="Fire alarm, smoke or flames at the Hội An International Convention Centre",
        sites=("HA-ICC", "HA-ICC-PLEN"),
    ),
    DemoPlan(
        "PA-BOM-HTL",
        Plan.Kind.CONTINGENCY,
        "Phương án xử lý tin báo bom tại khách sạn lưu trú của đoàn",
        "Bomb threat at a delegation hotel",
        "Tiếp nhận tin báo, xác minh nguồn tin; sơ tán đoàn về khách sạn dự phòng;\n"
        "khoanh vùng bán kính 200 m, lực lượng EOD và K9 khám xét; báo cáo Sở chỉ huy mỗi 15 phút.",
        "Take the call, verify the source; move the delegation to the standby hotel;\n"
        "cordon 200 m, EOD and K9 search; report to the command post every 15 minutes.",
        (
            (
                "CAQN-CSCD-5",
                "Khám xét, phát hiện và xử lý vật nổ (EOD)",
                "Search for and dispose of explosives (EOD)",
                15,
            ),
            ("CAQN-CSCD-4", "Khám xét bằng chó nghiệp vụ (K9)", "K9 search", 15),
            ("BTLCV-2", "Sơ tán đoàn về khách sạn dự phòng", "Move the delegation to the standby hotel", 5),
            (
                "CAQN-DB",
                "Khoanh vùng bán kính 200 m, cấm người và phương tiện",
                "Cordon 200 m; no people or vehicles in",
                10,
            ),
        ),
        "submitted",
        trigger_vi="Tin báo có bom hoặc phát hiện vật nghi là chất nổ tại khách sạn lưu trú của đoàn",
        trigger_en="A bomb threat or a suspicious object at a delegation hotel",
        sites=("HTL-NAMHAI", "HTL-VICTORIA", "HTL-PALM"),
        responsible="CAQN-ANCT",
    ),
    DemoPlan(
        "PA-DOANXE-TUYEN",
        Plan.Kind.CONTINGENCY,
        "Phương án xử lý tuyến đường đoàn xe bị ách tắc, cản trở",
        "Motorcade route blocked",
        "Khi tuyến sân bay Đà Nẵng - Hội An bị ách tắc hoặc cản trở: dừng đoàn xe tại điểm an toàn gần nhất,\n"
        "chuyển sang tuyến dự phòng ven biển Lạc Long Quân, CSGT phân luồng và dẫn đường.",
        "When the Đà Nẵng airport - Hội An route is blocked: stop the motorcade at the nearest safe point,\n"
        "switch to the Lạc Long Quân coastal road, traffic police divert and escort.",
        (
            (
                "CAQN-CSGT-2",
                "Phân luồng, mở tuyến dự phòng ven biển",
                "Divert traffic and open the coastal road",
                2,
            ),
            ("CADN-1", "Giải tỏa ách tắc đoạn qua Đà Nẵng", "Clear the jam on the Đà Nẵng stretch", 5),
        ),
        "draft",
        trigger_vi="Tuyến đường đoàn xe bị ách tắc, tai nạn hoặc tụ tập đông người cản trở",
        trigger_en="The motorcade route is blocked by a jam, an accident or a crowd",
        sites=("RT-DAD-HA", "RT-COAST"),
        items=("MOT-IN-1", "MOT-AM-1"),
        revision=(
            "Bổ sung lực lượng cơ động giải tán đám đông",
            "Nếu do tụ tập đông người: lực lượng cơ động giải tán, giữ trật tự.",
            "If a crowd blocks the way: mobile police disperse it and keep order.",
            (
                "CAQN-CSCD-3",
                "Giải tán đám đông, bảo đảm trật tự tuyến đường",
                "Disperse the crowd, keep the route in order",
                5,
            ),
        ),
    ),
    DemoPlan(
        "PA-YTE-DB",
        Plan.Kind.CONTINGENCY,
        "Phương án cấp cứu đại biểu đột quỵ, tai nạn",
        "Medical emergency of a delegate",
        "Tổ y tế cơ động sơ cứu tại chỗ; xe cứu thương dẫn đường ưu tiên về Bệnh viện Đa khoa tỉnh Quảng Nam;\n"
        "bệnh viện chuẩn bị phòng cấp cứu riêng; bảo vệ tiếp cận đi cùng đại biểu.",
        "The mobile medical team gives first aid on the spot; the ambulance is escorted with priority to the\n"
        "Quảng Nam Provincial General Hospital; the hospital readies a separate emergency room; close protection\n"
        "stays with the delegate.",
        (
            (
                "YTQN-2",
                "Sơ cứu tại chỗ, chuyển đại biểu lên xe cứu thương",
                "First aid on the spot; take the delegate to the ambulance",
                2,
            ),
            (
                "CAQN-CSGT-3",
                "Dẫn đường ưu tiên xe cứu thương về bệnh viện",
                "Priority escort of the ambulance to hospital",
                5,
            ),
            ("BTLCV-3", "Bảo vệ đại biểu trong suốt quá trình cấp cứu", "Protect the delegate throughout", 2),
        ),
        "approved+draft",
        trigger_vi="Đại biểu bị đột quỵ, ngất hoặc bị thương trong chương trình",
        trigger_en="A delegate collapses, faints or is injured during the programme",
        sites=("HOSP-QN", "HA-ICC-MED"),
        responsible="YTQN-1",
        revision=(
            "Thêm phương án trực thăng cấp cứu",
            "Trường hợp nguy kịch: đề nghị trực thăng cấp cứu, bãi đáp tại sân vận động Hội An.",
            "If critical: request the rescue helicopter; landing at the Hội An stadium.",
            (
                "CAQN-HA-1",
                "Bảo vệ bãi đáp trực thăng tại sân vận động Hội An",
                "Secure the helicopter landing at the Hội An stadium",
                20,
            ),
        ),
    ),
)


def _task(units: dict[str, Unit], spec: Task) -> dict[str, Any]:
    code, text_vi, text_en, offset = spec
    return {"unit": units[code].pk, "text_vi": text_vi, "text_en": text_en, "offset_minutes": offset}


def seed_event(event: Event, *, actor: Actor) -> dict[str, int]:
    """Seed the summit's demo plans; the counts of what was created ({} for other events or a re-run)."""
    if event.code != "demo-summit":
        return {}
    units = {u.code: u for u in Unit.objects.filter(event=event).select_related("commander")}
    needed = {t[0] for spec in PLANS for t in spec.tasks} | {spec.responsible for spec in PLANS}
    if not needed <= {code for code, unit in units.items() if unit.commander_id}:
        return {}  # the forces are not there (planning demo not seeded)
    planner_membership = (
        event.memberships.filter(role=Role.PLANNER, is_active=True).select_related("user").first()
    )
    author = planner_membership.user if planner_membership else actor
    sites = dict(Site.objects.filter(event=event).values_list("code", "pk"))
    items = dict(ProgrammeItem.objects.filter(event=event).values_list("code", "pk"))
    existing = set(Plan.objects.filter(event=event).values_list("code", flat=True))
    created = {"plans": 0, "versions": 0}
    for spec in PLANS:
        if spec.code in existing:
            continue
        plan = services.create_plan(
            actor=author,
            event=event,
            kind=spec.kind,
            code=spec.code,
            title_vi=spec.title_vi,
            title_en=spec.title_en,
            body_vi=spec.body_vi,
            body_en=spec.body_en,
            trigger_vi=spec.trigger_vi,
            trigger_en=spec.trigger_en,
            responsible=units[spec.responsible].commander,
            sites=[sites[c] for c in spec.sites if c in sites],
            programme_items=[items[c] for c in spec.items if c in items],
            tasks=[_task(units, t) for t in spec.tasks],
            change_note="Bản đầu tiên",
        )
        created["plans"] += 1
        created["versions"] += 1
        if spec.state in {"approved", "approved+draft", "submitted"}:
            services.submit_plan(actor=author, plan=plan)
        if spec.state in {"approved", "approved+draft"} and author != actor:
            services.approve_plan(actor=actor, plan=plan, number=1, comment="Đồng ý ban hành.")
        if spec.revision:
            note, more_vi, more_en, extra = spec.revision
            latest = plan.latest_version
            assert latest is not None
            services.edit_plan(
                actor=author,
                plan=plan,
                base_number=latest.number,
                change_note=note,
                body_vi=f"{spec.body_vi}\n{more_vi}",
                body_en=f"{spec.body_en}\n{more_en}",
                tasks=[
                    *(
                        {**_task(units, t), "key": k["key"]}
                        for t, k in zip(spec.tasks, latest.tasks, strict=True)
                    ),
                    _task(units, extra),
                ],
            )
            created["versions"] += 1
    return created if created["plans"] else {}
