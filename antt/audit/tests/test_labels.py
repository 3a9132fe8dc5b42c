"""Every action the app records has words on the audit page, and every object type a name: a reader of the
trail sees "Sent a field report", not "Change" or ``operations.field_report``."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.utils import translation

from antt.audit.labels import ACTION_LABELS, action_label, object_label
from antt.operations.incident_services import TRANSITIONS

ROOT = Path(__file__).resolve().parents[2]  # the antt package
RECORDING = {"record", "_record", "record_entry"}


def _recorded_actions() -> dict[str, str]:
    """Each action code written as a constant where the code records an entry: the ``action`` of a call to
    ``record``/``_record`` (first string argument or keyword), and every ``audit_action=`` keyword."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            values = [k.value for k in node.keywords if k.arg == "audit_action"]
            if name in RECORDING:
                values += [k.value for k in node.keywords if k.arg == "action"] + list(node.args[:2])
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and "." in value.value:
                    found.setdefault(value.value, str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_the_apps_actions() -> None:
    # The scan itself must see the kinds of calls the apps use, or the next test proves nothing.
    found = _recorded_actions()
    for action in (
        "planning.create_site",
        "operations.field_report",
        "documents.read",
        "reports.create_period",
    ):
        assert action in found


def test_every_recorded_action_has_words() -> None:
    missing = {
        a: where
        for a, where in _recorded_actions().items()
        if a not in ACTION_LABELS and not a.startswith("admin.")  # the admin's, by pattern (below)
    }
    missing.pop("audit.anchor", None)  # a lane's anchor: the page hides it (verify's business)
    assert not missing, f"add these actions to antt/audit/labels.py: {missing}"


def test_incident_moves_have_words() -> None:
    for move in TRANSITIONS:
        assert f"operations.{move}_incident" in ACTION_LABELS
    for action in ("note_incident", "change_priority", "dispatch", "responder_step", "merge_incident"):
        assert f"operations.{action}" in ACTION_LABELS


SAME_IN_BOTH = {"operations.sos"}  # "SOS" is "SOS" in Vietnamese too


def test_every_models_type_has_a_name_and_a_vietnamese_one() -> None:
    for model in apps.get_models():
        if not model.__module__.startswith("antt."):
            continue
        label = model._meta.label_lower
        with translation.override("en"):
            english = object_label(label)
        with translation.override("vi"):
            vietnamese = object_label(label)
        assert english != "Record", label
        assert vietnamese != "Bản ghi", label
        if label not in SAME_IN_BOTH:
            assert vietnamese != english, f"{label}: no Vietnamese name for {english!r}"


def test_an_unknown_action_names_its_object_type() -> None:
    with translation.override("en"):
        assert action_label("operations.something_new", "operations.incident") == "Change: Incident"
        assert action_label("x.y") == "Change"
        assert action_label("admin.delete.operations.incident") == "Deleted in the admin site: Incident"
        assert object_label("nothing.here") == "Record"
