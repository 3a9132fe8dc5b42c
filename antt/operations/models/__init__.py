"""The models of live operations, one module per part of the day:

- ``incidents``: the incident (the case the operations room works on), its categories, its timeline and its
  responders — shared by the field side (reports create incidents) and the operations room (lifecycle);
- ``room``: the operations room's own records (live sequence, timers, escalations, coverage gaps, ICS 214).
"""

from antt.operations.models.incidents import Incident, IncidentCategory, IncidentStep, Responder
from antt.operations.models.room import ActivityEntry, BoardUpdate, CoverageGap, Escalation, OpsSettings

__all__ = [
    "ActivityEntry",
    "BoardUpdate",
    "CoverageGap",
    "Escalation",
    "Incident",
    "IncidentCategory",
    "IncidentStep",
    "OpsSettings",
    "Responder",
]
