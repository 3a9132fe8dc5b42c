# mypy: disable-error-code="arg-type, operator, attr-defined"
# (factory_boy types a factory call as the factory, not the model it returns)
"""A field officer on duty at a post with a polygon, orders and proof settings (shared by the field tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from antt.forces.tests.factories import OfficerFactory
from antt.operations import proofs
from antt.operations.field_services import post_proof
from antt.planning.tests.factories import AssignmentFactory, PostFactory

# A square of about 110 m x 110 m around Hội An's convention centre.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [108.3375, 15.8796],
            [108.3385, 15.8796],
            [108.3385, 15.8806],
            [108.3375, 15.8806],
            [108.3375, 15.8796],
        ]
    ],
}
INSIDE = (15.8801, 108.3380)
FAR = (15.8901, 108.3380)  # about 1.1 km north


@dataclass
class OnDuty:
    officer: Any
    post: Any
    assignment: Any
    start: datetime

    @property
    def digest(self) -> str:
        return proofs.orders_digest(self.post.orders)


def on_duty(event: Any, user: Any, **proof: Any) -> OnDuty:
    officer = OfficerFactory(event=event, user=user, skills=["checkpoint"], call_sign="HA-07")
    post = PostFactory(event=event, geometry=SQUARE, orders="Kiểm soát cổng số 2; không cho xe vào.")
    assignment = AssignmentFactory(event=event, officer=officer, post=post)
    settings = post_proof(post)
    for name, value in proof.items():
        setattr(settings, name, value)
    settings.save()
    return OnDuty(officer=officer, post=post, assignment=assignment, start=assignment.starts_at)


def at(duty: OnDuty, minutes: float) -> datetime:
    return duty.start + timedelta(minutes=minutes)
