"""``antt solve --event CODE [--time-limit S] [--seed N] [--apply] [--user NAME]``: run the roster solver.

Runs in this process (no worker needed) through the same services as the pages and the API, prints the
summary (coverage before/after, rule violations, churn, unfilled gaps with reasons) and applies the changes
only with ``--apply``. The run is recorded as started by ``--user`` (default: the event's first active
commander or planner, who must hold ``planning.solve``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.errors import DomainError
from antt.core.languages import current_language
from antt.core.permissions import Role
from antt.events.models import Event, Membership
from antt.rostering import services
from antt.rostering.models import SolverRun


class Command(BaseCommand):
    help = "Fill the gaps of an event's plan with the roster solver; print the summary; apply with --apply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", metavar="CODE", required=True, help="The event's code.")
        parser.add_argument("--time-limit", type=int, default=30, metavar="S", help="Seconds (1-600).")
        parser.add_argument("--seed", type=int, default=1, metavar="N")
        parser.add_argument("--apply", action="store_true", help="Apply the proposed changes.")
        parser.add_argument("--user", metavar="USERNAME", help="Who runs it (needs planning.solve).")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(code=options["event"]).first()
        if event is None:
            raise CommandError(
                _("No event with the code %(code)s.") % {"code": options["event"]}, returncode=2
            )
        actor = self._actor(event, options["user"])
        try:
            run = services.start_run(
                actor=actor,
                event=event,
                time_limit=options["time_limit"],
                seed=options["seed"],
                dispatch=False,
            )
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        services.execute_run(run.pk)
        run = SolverRun.objects.get(pk=run.pk)
        self._print(run)
        if run.status != SolverRun.Status.SUCCEEDED:
            raise CommandError(
                _("The run ended %(status)s: %(error)s") % {"status": run.status, "error": run.error or "—"},
                returncode=1,
            )
        if options["apply"]:
            try:
                counts = services.apply_run(actor=actor, run=run)
            except DomainError as exc:
                raise CommandError(str(exc), returncode=1) from exc
            self.stdout.write(
                self.style.SUCCESS(_("Applied: %(added)d assignment(s) added, %(removed)d removed.") % counts)
            )
        else:
            self.stdout.write(_("Nothing changed: run again with --apply to apply these changes."))

    def _actor(self, event: Event, username: str | None) -> Any:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": username}, returncode=2)
            return user
        for role in (Role.COMMANDER, Role.PLANNER):
            membership = (
                Membership.objects.filter(event=event, role=role, is_active=True, user__is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if membership is not None:
                return membership.user
        raise CommandError(
            _("Nobody in %(event)s may run the solver: give --user.") % {"event": event.code}, returncode=2
        )

    def _print(self, run: SolverRun) -> None:
        lang = current_language()
        s = run.summary or {}
        before, after = s.get("before", {}), s.get("after", {})
        churn = s.get("churn", {})
        totals = s.get("totals", {})
        write = self.stdout.write
        write(
            _("Solver run #%(id)d on %(event)s: %(status)s")
            % {"id": run.pk, "event": run.event.code, "status": run.status}
        )
        write(
            _("Coverage: %(before).2f %% before, %(after).2f %% after")
            % {"before": 100 * before.get("coverage", 0), "after": 100 * after.get("coverage", 0)}
        )
        write(
            _("Gaps: %(before)d before, %(after)d after")
            % {"before": before.get("gaps", 0), "after": after.get("gaps", 0)}
        )
        write(
            _("Rule violations: %(before)d before, %(after)d after")
            % {"before": before.get("violations", 0), "after": after.get("violations", 0)}
        )
        write(
            _(
                "Churn: %(changed)d of %(published)d published assignments change; %(kept)d kept, %(moved)d moved, %(added)d added, %(removed)d removed"
            )
            % {
                "changed": churn.get("changed_published", 0),
                "published": churn.get("published", 0),
                "kept": totals.get("kept", 0),
                "moved": totals.get("moved", 0),
                "added": totals.get("added", 0),
                "removed": totals.get("removed", 0),
            }
        )
        opened = s.get("open", {})
        write(
            _(
                "Open slot-minutes: %(minutes)d; filled %(filled)d of at most %(coverable)d coverable (%(share).2f %%)"
            )
            % {
                "minutes": opened.get("minutes", 0),
                "filled": opened.get("filled", 0),
                "coverable": opened.get("coverable", 0),
                "share": 100 * opened.get("of_coverable", 1.0),
            }
        )
        write(_("Time: %(seconds).2f s") % {"seconds": s.get("seconds", run.elapsed)})
        gaps = s.get("gaps", [])
        write(_("Unfilled gaps: %(count)d") % {"count": len(gaps)})
        for gap in gaps:
            write(
                f"  {gap['post']} {gap['skill']} {gap['starts_at']} - {gap['ends_at']} "
                f"x{gap['missing']}: {gap[f'reason_{lang}']}"
            )
