"""The models of live operations, one module per part of the day:

- ``incidents``: the incident (the case the operations room works on), its categories, its timeline and its
  responders — shared by the field side (reports create incidents) and the operations room (lifecycle).
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

__all__ = [
    "CheckIn",
    "FieldReport",
    "IdempotencyRecord",
    "Incident",
    "IncidentCategory",
    "IncidentStep",
    "NfcTag",
    "OrdersAcknowledgement",
    "PositionBatch",
    "PositionReport",
    "PostProof",
    "ReportPhoto",
    "Responder",
    "Sos",
]
