"""The models of live operations, one module per part of the day:

- ``incidents``: the incident (the case the operations room works on), its categories, its timeline and its
  responders — shared by the field side (reports create incidents) and the operations room (lifecycle).
"""

from antt.operations.models.incidents import Incident, IncidentCategory, IncidentStep, Responder

__all__ = ["Incident", "IncidentCategory", "IncidentStep", "Responder"]
