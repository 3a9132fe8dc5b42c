"""Warm a server worker at start: import the views and build the live coverage index of the open events
before anyone asks.

Without it, the first gap board or coverage request of a new worker builds the index of the whole plan
(seconds at design scale: :mod:`antt.planning.live_coverage`), after importing every view (the URL
configuration: seconds too). The ASGI application (``antt/asgi.py``) calls :func:`start` when the server
starts it (the lifespan protocol's ``startup``): one background thread imports the URL configuration, reads
the events that are not closed and have a plan version (active ones first, at most
``live_coverage.EVENTS``: what a process keeps), builds each index and what the board and the API derive
from it once per version, in both languages (the board's order, the API's encoded rows), then ends. The
server answers meanwhile: a request that needs an index being built waits for that build (one build per
event, ``live_coverage.snapshot``) instead of starting its own; every other request is served as usual.

Only a server runs the lifespan protocol: ``migrate``, management commands and tests never warm. The setting
``COVERAGE_WARM_AT_START`` (``ANTT_WARM_COVERAGE=0``) switches it off; the tests' environment does.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Case, Value, When
from django.utils import translation

logger = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")

_started = threading.Lock()
_thread: threading.Thread | None = None


def start() -> threading.Thread | None:
    """Start warming in a background thread, once per process, unless ``COVERAGE_WARM_AT_START`` is off;
    return the thread (None when off or already started)."""
    global _thread
    if not getattr(settings, "COVERAGE_WARM_AT_START", False):
        return None
    with _started:
        if _thread is not None:
            return None
        _thread = threading.Thread(target=_run, name="antt-coverage-warming", daemon=True)
        _thread.start()
        return _thread


def _run() -> None:
    started = time.perf_counter()
    try:
        codes = warm()
    except Exception:  # a worker must start even when it cannot warm (no tables yet, database away)
        logger.exception("coverage warming failed")
    else:
        logger.info(
            "coverage warmed",
            extra={"events": codes, "seconds": round(time.perf_counter() - started, 3)},
        )
    finally:
        connections.close_all()  # this thread's connections only: the thread ends here


def events_to_warm() -> list[Any]:
    """The events whose index a worker builds at start: not closed, with a plan version (an index is keyed
    on it), the active ones first, then by start (latest first); at most what a process keeps."""
    from antt.events.models import Event, PlanRevision
    from antt.planning import live_coverage

    with_version = PlanRevision.objects.filter(version__gt=0).values("event_id")
    active = Case(When(status=Event.Status.ACTIVE, then=Value(0)), default=Value(1))
    return list(
        Event.objects.exclude(status=Event.Status.CLOSED)
        .filter(pk__in=with_version)
        .order_by(active, "-starts_at", "pk")[: live_coverage.EVENTS]
    )


def warm(events: list[Any] | None = None) -> list[str]:
    """Build the live index of ``events`` (default: :func:`events_to_warm`) and the board's and the API's
    per-finding values in both languages; return the events' codes."""
    from django.template.loader import get_template
    from django.urls import get_resolver
    from rest_framework.renderers import JSONRenderer

    from antt.planning import api, coverage_audit

    # the URL configuration and every view it imports (the solver's OR-Tools among them): seconds that the
    # first request of a worker would otherwise spend importing; a request that needs a module being
    # imported here waits for that import
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018
    for lang in LANGUAGES:
        with translation.override(lang):
            _reverse_ready(resolver)
    for name in ("base.html", "planning/gap_board.html", "planning/_gap_row.html"):
        get_template(name)  # compiled once per process
    chosen = events_to_warm() if events is None else events
    for event in reversed(chosen):  # the first one last: the most recently used of the process's indexes
        snap = coverage_audit.coverage_labelled(event)
        for lang in LANGUAGES:  # the board's order first (cheap), then the API's rows (explained, encoded)
            with translation.override(lang):
                coverage_audit.gap_board(event, lang=lang)
        for lang in LANGUAGES:
            with translation.override(lang):
                api.finding_json(snap, lang, JSONRenderer())
    return [event.code for event in chosen]


def _reverse_ready(resolver: Any) -> None:
    """Fill ``resolver``'s table for reversing URL names, and those of its namespaces (in the active language:
    each language has its own)."""
    resolver.reverse_dict  # noqa: B018
    for _prefix, sub in resolver.namespace_dict.values():
        _reverse_ready(sub)
