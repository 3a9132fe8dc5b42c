"""Audit actions and object types in words (the trail stores codes such as ``plans.edit_plan``).

Strings only: ``audit`` sits below every app, so the names of the other apps' actions live here as text.
A new action gets its words here; until then the page names its object type and says "Change".
"""

from __future__ import annotations

from django.utils.functional import Promise
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
    "rostering.apply_run": _("Applied a solver result"),
    "rostering.cancel_run": _("Cancelled a solver run"),
    "rostering.start_run": _("Started the solver"),
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

# The page of an object type: (URL name, its keyword argument for the object's id); the event's code is added.
OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "planning.site": ("planning:site-detail", "site_id"),
    "forces.officer": ("planning:officer-detail", "officer_id"),
    "plans.plan": ("plans:detail", "plan_id"),
    "rostering.solverrun": ("rostering:run-detail", "run_id"),
    "planning.assignment": ("planning:editor-assignment", "assignment_id"),
    "planning.requirement": ("planning:editor-requirement", "requirement_id"),
}


def action_label(action: str, object_type: str = "") -> str:
    found = ACTION_LABELS.get(action)
    if found is not None:
        return str(found)
    thing = OBJECT_LABELS.get(object_type)
    return str(_("Change: %(object)s") % {"object": thing}) if thing else str(_("Change"))


def object_label(object_type: str) -> str:
    found = OBJECT_LABELS.get(object_type)
    return str(found) if found is not None else str(_("Record"))
