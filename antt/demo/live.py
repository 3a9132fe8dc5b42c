"""The demo's live scenario: a short day played on the demo summit so the operations room moves within a
minute of opening it (``antt demo --play``).

Check-ins arrive (written to the units' activity log until the field side's check-ins are wired), a few
incidents of different priorities are reported from the field and by phone, one SOS; the dispatcher
acknowledges and sends the nearest free officer, who goes on scene; incidents are resolved and closed.
Every step goes through the same services as the pages, as the demo accounts. One P1 is left
unacknowledged on purpose: the escalation loop (``antt ops_timers``) raises it after 60 s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from antt.accounts.models import User
from antt.events.models import Event
from antt.forces.models import Unit
from antt.operations import activity, dispatch_input, presence
from antt.operations import incident_services as ops
from antt.operations.models import Incident
from antt.operations.opening import ensure_categories, open_incident

logger = logging.getLogger(__name__)
EVENT = "demo-summit"


class Scenario:
    """The steps of one short day; ``run`` plays them with ``pause`` seconds between them."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.officer = User.objects.get(username="demo-officer")
        self.dispatcher = User.objects.get(username="demo-dispatcher")
        self.unit_commander = User.objects.get(username="demo-unit")
        self.categories = {c.code: c for c in ensure_categories(event)}
        self.opened: dict[str, Incident] = {}

    def _post(self, index: int) -> Any:
        now = timezone.now()
        duty = presence.on_duty(self.event, now)
        if not duty:
            return None
        from antt.planning.models import Post

        return Post.objects.filter(pk=duty[(index * 7) % len(duty)].post_id).select_related("site").first()

    def check_ins(self) -> None:
        units = list(Unit.objects.filter(event=self.event).order_by("code")[:3])
        for n, unit in enumerate(units):
            post = self._post(n)
            where = post.code if post else unit.code
            activity.add_entry(
                actor=self.unit_commander,
                event=self.event,
                unit=unit,
                text=f"Check-in: {where} — đủ quân số / all present",
            )

    def report(
        self, key: str, code: str, summary: str, *, source: str = "field", priority: int | None = None
    ) -> None:
        post = self._post(len(self.opened) + 1)
        actor = self.officer if source in ("field", "sos") else self.dispatcher
        self.opened[key] = open_incident(
            actor=actor,
            event=self.event,
            category=self.categories[code],
            summary=summary,
            source=source,
            priority=priority,
            post=post,
            site=post.site if post else None,
        )

    def acknowledge(self, key: str) -> None:
        ops.acknowledge_incident(actor=self.dispatcher, incident=self.opened[key])

    def send_nearest(self, key: str) -> None:
        incident = Incident.objects.get(pk=self.opened[key].pk)
        rows = dispatch_input.suggestions_for(incident, limit=1)
        if rows:
            ops.dispatch(actor=self.dispatcher, incident=incident, officer=rows[0].officer)

    def on_scene(self, key: str) -> None:
        incident = Incident.objects.get(pk=self.opened[key].pk)
        for responder in incident.responders.filter(status__in=("assigned", "en_route")):
            ops.move_responder(actor=self.dispatcher, responder=responder, status="on_scene")
        incident.refresh_from_db()
        if incident.status == "dispatched":
            ops.mark_on_scene(actor=self.dispatcher, incident=incident)

    def resolve(self, key: str) -> None:
        ops.resolve_incident(actor=self.dispatcher, incident=Incident.objects.get(pk=self.opened[key].pk))

    def close(self, key: str) -> None:
        ops.close_incident(actor=self.dispatcher, incident=Incident.objects.get(pk=self.opened[key].pk))

    def steps(self) -> list[Callable[[], None]]:
        return [
            self.check_ins,
            lambda: self.report(
                "crowd", "crowd", "Đám đông dồn ứ trước cổng chính / Crowd building at the main gate"
            ),
            lambda: self.acknowledge("crowd"),
            lambda: self.report(
                "lost",
                "lost_person",
                "Trẻ em đi lạc gần khu báo chí / Lost child near the press area",
                source="dispatcher",
            ),
            lambda: self.send_nearest("crowd"),
            lambda: self.report(
                "sos", "other", "SOS từ chốt kiểm soát / SOS from a checkpoint", source="sos", priority=1
            ),
            lambda: self.acknowledge("sos"),
            lambda: self.on_scene("crowd"),
            lambda: self.send_nearest("sos"),
            lambda: self.report(
                "medical",
                "medical",
                "Đại biểu bị ngất tại hội trường / Delegate fainted in the hall",
                priority=1,
            ),
            lambda: self.acknowledge("lost"),
            lambda: self.resolve("crowd"),
            lambda: self.on_scene("sos"),
            lambda: self.close("crowd"),
            lambda: self.resolve("sos"),
        ]

    def run(self, *, pause: float, stop: threading.Event) -> int:
        done = 0
        for step in self.steps():
            if stop.wait(pause):
                break
            try:
                step()
                done += 1
            except Exception:  # a demo step refused (e.g. nobody on duty at this hour): go on with the next
                logger.warning("demo step skipped", exc_info=True)
        return done


def _close_old_connections() -> None:
    """The thread's stale connections closed, unless a caller's transaction (a test's) holds this one."""
    from django.db import connection

    if not connection.in_atomic_block:
        close_old_connections()


def play(*, code: str = EVENT, pause: float = 5.0, stop: threading.Event | None = None) -> int:
    """Play the scenario once on ``code`` (a step every ``pause`` seconds); returns the steps done."""
    stop = stop or threading.Event()
    _close_old_connections()
    try:
        event = Event.objects.get(code=code)
        return Scenario(event).run(pause=pause, stop=stop)
    finally:
        _close_old_connections()


def start(*, code: str = EVENT, pause: float = 5.0) -> threading.Event:
    """Play the scenario in a background thread of the server process (its updates reach the boards
    through the process's channel layer); set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=play, kwargs={"code": code, "pause": pause, "stop": stop}, daemon=True, name="demo-live"
    ).start()
    return stop
