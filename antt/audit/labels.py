"""Audit actions and object types in words (the trail stores codes such as ``plans.edit_plan``).

Strings only: ``audit`` sits below every app, so the names of the other apps' actions live here as text.
A new action gets its words here (``test_labels`` finds one that has none); until then the page names its
object type (from the model's name when it is not listed here) and says "Change".
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "accounts.change_password": _("Changed the password"),
    "accounts.create_token": _("Created an API token"),
    "accounts.create_user": _("Created a user account"),
    "accounts.enable_two_factor": _("Turned on two-factor sign-in"),
    "accounts.regenerate_backup_codes": _("Made new backup codes"),
    "accounts.reset_password": _("Reset a password"),
    "accounts.reset_two_factor": _("Reset two-factor sign-in"),
    "accounts.revoke_all_tokens": _("Revoked all API tokens"),
    "accounts.revoke_token": _("Revoked an API token"),
    "accounts.sign_in": _("Signed in"),
    "accounts.sign_in_failed": _("Failed sign-in"),
    "accounts.sign_in_locked_out": _("Sign-in locked out"),
    "accounts.two_factor_passed": _("Passed the second factor"),
    "demo.shift_to_now": _("Moved the demo event to now"),
    "documents.acknowledge": _("Acknowledged reading a document"),
    "documents.add_version": _("Added a document version"),
    "documents.approve_grant": _("Approved an access grant"),
    "documents.attach_plans": _("Attached a document to plans"),
    "documents.create": _("Created a document"),
    "documents.destroy": _("Destroyed a document"),
    "documents.grant": _("Granted access to a document"),
    "documents.read": _("Read a document"),
    "documents.reclassify": _("Changed a document's classification"),
    "documents.revoke_grant": _("Revoked an access grant"),
    "documents.withdraw": _("Withdrew a document"),
    "events.add_member": _("Added a member"),
    "events.change_member": _("Changed a member's role"),
    "events.change_status": _("Changed the event's status"),
    "events.create_event": _("Created the event"),
    "events.remove_member": _("Removed a member"),
    "events.update_event": _("Edited the event"),
    "events.export_audit": _("Exported the audit trail"),
    "forces.create_officer": _("Added an officer"),
    "forces.create_skill": _("Added a skill"),
    "forces.create_unit": _("Added a unit"),
    "forces.delete_officer": _("Deleted an officer"),
    "forces.delete_unit": _("Deleted a unit"),
    "forces.link_account": _("Linked an officer to an account"),
    "forces.read_contacts": _("Read contact details"),
    "forces.set_officer_skills": _("Set an officer's skills"),
    "forces.update_officer": _("Edited an officer"),
    "forces.update_unit": _("Edited a unit"),
    "interop.export_geojson": _("Exported the map (GeoJSON)"),
    "interop.export_roster": _("Exported the roster"),
    "interop.export_scenario": _("Exported the scenario"),
    "interop.import_assignment_as_is": _("Imported an assignment as it was"),
    "interop.import_scenario": _("Imported a scenario"),
    "interop.import_forces": _("Imported the forces"),
    "operations.accept_gap": _("Accepted a coverage gap"),
    "operations.acknowledge_escalation": _("Acknowledged an escalation"),
    "operations.acknowledge_incident": _("Acknowledged an incident"),
    "operations.acknowledge_orders": _("Acknowledged the post orders"),
    "operations.add_activity": _("Wrote in the activity log"),
    "operations.add_responder": _("Sent a responder"),
    "operations.cancel_incident": _("Cancelled an incident"),
    "operations.cancel_sos": _("Cancelled an SOS"),
    "operations.change_priority": _("Changed an incident's priority"),
    "operations.check_in": _("Checked in, out or handed over at a post"),
    "operations.close_incident": _("Closed an incident"),
    "operations.configure": _("Changed the operations room's settings"),
    "operations.dispatch": _("Dispatched to an incident"),
    "operations.escalate": _("Escalated an incident"),
    "operations.field_photo": _("Added a photo to a field report"),
    "operations.field_report": _("Sent a field report"),
    "operations.fill_gap": _("Filled a coverage gap"),
    "operations.merge_incident": _("Merged an incident into another"),
    "operations.move_responder": _("Changed a responder's status"),
    "operations.note_incident": _("Added a note to an incident"),
    "operations.on_scene_incident": _("Arrived on scene"),
    "operations.open_incident": _("Opened an incident"),
    "operations.positions": _("Sent positions (one batch)"),
    "operations.register_tag": _("Registered an NFC tag at a post"),
    "operations.retire_tag": _("Retired an NFC tag"),
    "operations.post_proof": _("Changed what proves presence at a post"),
    "operations.resolve_incident": _("Resolved an incident"),
    "operations.responder_step": _("A responder's step on an incident"),
    "operations.sos": _("Sent an SOS"),
    "operations.sos_position": _("Sent an SOS position"),
    "planning.add_requirement_rule": _("Added a requirement rule"),
    "planning.assign_officer": _("Assigned an officer"),
    "planning.create_post": _("Added a post"),
    "planning.create_programme_item": _("Added a programme item"),
    "planning.create_requirement": _("Added a requirement"),
    "planning.create_site": _("Added a site"),
    "planning.delete_post": _("Deleted a post"),
    "planning.delete_programme_item": _("Deleted a programme item"),
    "planning.delete_requirement": _("Deleted a requirement"),
    "planning.delete_requirement_rule": _("Deleted a requirement rule"),
    "planning.delete_site": _("Deleted a site"),
    "planning.derive_requirements": _("Derived the requirements"),
    "planning.link_demo_accounts": _("Linked the demo accounts"),
    "planning.publish_assignments": _("Published the roster"),
    "planning.restore_assignment": _("Restored an assignment"),
    "planning.seed_demo": _("Loaded the demo data"),
    "planning.set_programme_item_sites": _("Set a programme item's sites"),
    "planning.set_rest_rules": _("Set the rest rules"),
    "planning.unassign": _("Removed an assignment"),
    "planning.update_assignment": _("Changed an assignment"),
    "planning.update_post": _("Edited a post"),
    "planning.update_programme_item": _("Edited a programme item"),
    "planning.update_requirement": _("Edited a requirement"),
    "planning.update_site": _("Edited a site"),
    "plans.approve_plan": _("Approved a plan"),
    "plans.create_plan": _("Created a plan"),
    "plans.edit_plan": _("Edited a plan"),
    "plans.return_plan": _("Returned a plan for changes"),
    "plans.submit_plan": _("Submitted a plan for approval"),
    "plans.withdraw_plan": _("Withdrew a plan"),
    "reports.approve_alert": _("Approved a public alert"),
    "reports.approve_iap": _("Approved an Incident Action Plan"),
    "reports.approve_sitrep": _("Approved a situation report"),
    "reports.create_alert": _("Drafted a public alert"),
    "reports.create_channel": _("Added a radio channel"),
    "reports.create_feed": _("Created a duty calendar feed"),
    "reports.create_period": _("Added an operational period"),
    "reports.delete_channel": _("Deleted a radio channel"),
    "reports.draft_sitrep": _("Drafted a situation report"),
    "reports.edit_sitrep": _("Edited a situation report"),
    "reports.publish_alert": _("Published a public alert"),
    "reports.request_iap": _("Asked for a new version of an Incident Action Plan"),
    "reports.revoke_feed": _("Revoked a duty calendar feed"),
    "reports.update_channel": _("Edited a radio channel"),
    "rostering.apply_run": _("Applied a solver result"),
    "rostering.cancel_run": _("Cancelled a solver run"),
    "rostering.start_run": _("Started the solver"),
    "rostering.undo_apply": _("Undid a solver result"),
}

OBJECT_LABELS: dict[str, str | Promise] = {
    "accounts.user": _("User"),
    "events.event": _("Event"),
    "events.membership": _("Membership"),
    "forces.officer": _("Officer"),
    "forces.unit": _("Unit"),
    "forces.skill": _("Skill"),
    "planning.site": _("Site"),
    "planning.post": _("Post"),
    "planning.programmeitem": _("Programme item"),
    "planning.requirement": _("Requirement"),
    "planning.requirementrule": _("Requirement rule"),
    "planning.assignment": _("Assignment"),
    "planning.restrules": _("Rest rules"),
    "plans.plan": _("Plan"),
    "rostering.solverrun": _("Solver run"),
}

#: Actions whose changes name the fields of another model than their target (a grant is recorded on its
#: document, so the document's page lists it; its changes are the grant's fields).
CHANGES_OF: dict[str, str] = {
    "documents.grant": "documents.grant",
    "documents.approve_grant": "documents.grant",
    "documents.revoke_grant": "documents.grant",
}

#: Names of recorded changes that are not a model's field.
CHANGE_NAMES: dict[str, str | Promise] = {
    "grant": _("grant no."),
    "valid": _("valid from, until"),
}

# The page of an object type: (URL name, its keyword argument for the object's id); the event's code is added.
OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "planning.site": ("planning:site-detail", "site_id"),
    "forces.officer": ("planning:officer-detail", "officer_id"),
    "plans.plan": ("plans:detail", "plan_id"),
    "rostering.solverrun": ("rostering:run-detail", "run_id"),
    "planning.assignment": ("planning:editor-assignment", "assignment_id"),
    "planning.requirement": ("planning:editor-requirement", "requirement_id"),
}


#: Entries written by Django's admin site: ``admin.<verb>.<app>.<model>`` (antt.audit.admin).
ADMIN_LABELS: dict[str, str | Promise] = {
    "add": _("Added in the admin site: %(object)s"),
    "change": _("Changed in the admin site: %(object)s"),
    "change_relations": _("Changed links in the admin site: %(object)s"),
    "delete": _("Deleted in the admin site: %(object)s"),
}


def action_label(action: str, object_type: str = "") -> str:
    found = ACTION_LABELS.get(action)
    if found is not None:
        return str(found)
    parts = action.split(".", 2)
    if len(parts) == 3 and parts[0] == "admin" and parts[1] in ADMIN_LABELS:
        return str(ADMIN_LABELS[parts[1]]) % {"object": object_label(parts[2])}
    if not object_type:
        return str(_("Change"))
    return str(_("Change: %(object)s") % {"object": object_label(object_type)})


def object_label(object_type: str) -> str:
    """The object type in words: from OBJECT_LABELS, else the model's own (translated) name, else "Record"."""
    found = OBJECT_LABELS.get(object_type)
    if found is not None:
        return str(found)
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return str(_("Record"))
    return capfirst(str(model._meta.verbose_name))
