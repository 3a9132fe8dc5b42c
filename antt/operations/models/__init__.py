"""The models of live operations, one module per part of the day:

- ``incidents``: the incident (the case the operations room works on), its categories, its timeline and its
  responders — shared by the field side (reports create incidents) and the operations room (lifecycle);
- ``room``: the operations room's own records (live sequence, timers, escalations, coverage gaps, ICS 214).
"""

from antt.operations.models.field import (
    CheckIn,
    FieldReport,
    IdempotencyRecord,
    NfcTag,
    OrdersAcknowledgement,
    PositionBatch,
    PositionReport,
    PostProof,
    ReportPhoto,
    Sos,
)
from antt.operations.models.incidents import Incident, IncidentCategory, IncidentStep, Responder
from antt.operations.models.room import ActivityEntry, BoardUpdate, CoverageGap, Escalation, OpsSettings

__all__ = [
    "ActivityEntry",
    "BoardUpdate",
    "CheckIn",
    "CoverageGap",
    "Escalation",
    "FieldReport",
    "IdempotencyRecord",
    "Incident",
    "IncidentCategory",
    "IncidentStep",
    "NfcTag",
    "OpsSettings",
    "OrdersAcknowledgement",
    "PositionBatch",
    "PositionReport",
    "PostProof",
    "ReportPhoto",
    "Responder",
    "Sos",
]
