"""Plans are made through the services (a plan without its first version does not exist)."""

from typing import Any

from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.plans import services
from antt.plans.models import Plan


def commanded_unit(event: Any, **kwargs: Any) -> Any:
    """A unit of ``event`` with one officer who is also its commander."""
    unit = UnitFactory(event=event, **kwargs)
    unit.commander = OfficerFactory(event=event, unit=unit, full_name=f"Chỉ huy {unit.code}")
    unit.save(update_fields=["commander"])
    return unit


def task(unit: Any, text_vi: str = "Khám xét an ninh khu vực", **kwargs: Any) -> dict[str, Any]:
    return {"unit": unit.pk, "text_vi": text_vi, "text_en": kwargs.pop("text_en", "Security sweep"), **kwargs}


def make_plan(actor: Any, event: Any, *, kind: str = Plan.Kind.CONTINGENCY, **kwargs: Any) -> Plan:
    """A complete plan, ready to submit (one task for a commanded unit, text, commander, trigger)."""
    unit = kwargs.pop("unit", None) or commanded_unit(event)
    defaults: dict[str, Any] = {
        "code": "PA-CHAY-ICC",
        "title_vi": "Phương án chữa cháy tại Trung tâm Hội nghị",
        "title_en": "Fire at the convention centre",
        "body_vi": "Sơ tán đại biểu qua cổng phụ.\nCô lập khu vực cháy.",
        "body_en": "Evacuate delegates through the side gate.\nIsolate the fire zone.",
        "responsible": unit.commander,
        "tasks": [task(unit, "Chữa cháy, cứu nạn", text_en="Fight the fire", offset_minutes=5)],
    }
    if kind == Plan.Kind.CONTINGENCY:
        defaults["trigger_vi"] = "Báo cháy tại Trung tâm Hội nghị"
        defaults["trigger_en"] = "Fire alarm at the convention centre"
    else:
        defaults["tasks"] = [task(unit)]
    defaults.update(kwargs)
    return services.create_plan(actor=actor, event=event, kind=kind, **defaults)
