"""Django's ASGI handler, with each request's synchronous work on one reused thread, in one hand-off.

Django's own handler (``get_asgi_application``) costs ≈ 3 ms of CPU per request before any view runs
(docs/field.md "Figures"), against ≈ 0.9 ms for the same request through the same middleware without ASGI:

- it loads the middleware in async mode: our middleware is synchronous, so the chain runs in a thread, goes
  back to the event loop at its bottom (``async_to_sync``) and into a thread again for each ``process_view``
  and for the view — five thread hand-offs a request instead of one;
- every request gets its own thread (``ThreadSensitiveContext`` makes a one-thread executor per request and
  shuts it down afterwards), so each request also starts a thread and, since Django's connections belong to
  a thread, opens its own database connection.

Here the middleware is loaded in sync mode and the whole chain with the view runs in one ``sync_to_async``
call; the request's thread-sensitive calls (the ``request_started`` signal, the chain, the response's close
and its ``request_finished`` signal) run on one thread lent from a per-process set of reused threads (a
one-thread executor each, so "one request, one thread" holds as in Django's handler). At most
``ANTT_REQUEST_THREADS`` requests run their middleware and view at once; one that finds them all busy waits in
the event loop. Reading the request's body and sending its answer take no place: a slow client never holds
up another request.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase


class RequestThreads:
    """Reused request threads, and at most ``size`` requests doing their synchronous work at once per event
    loop (uvicorn runs one loop per process).

    A request holds its thread from its first to its last thread-sensitive call (so "one request, one
    thread" holds, as in Django's handler), but a place among the ``size`` only while its middleware and
    view run (:meth:`slot`): a client that sends its body or reads its answer slowly never keeps another
    request from running.

    So as many threads live as requests are in flight, which may be more than ``size``. Up to ``kept`` idle
    ones (at least ``size``, by default ``KEPT``) wait for the next requests: a thread that ended would make
    the next request start one, and open a new database connection on it (2 to 4 ms of CPU on SQLite). With
    16 requests in flight and one place, ending the threads beyond the place doubled the CPU of a position
    batch (10.6 against 5.8 ms, docs/field.md "Sixth round")."""

    KEPT = 64

    def __init__(self, size: int, kept: int | None = None) -> None:
        self.size = max(1, size)
        self.kept = max(self.size, self.KEPT if kept is None else kept)
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def slot(self) -> asyncio.Semaphore:
        """The event loop's places for requests doing their synchronous work (``async with``)."""
        loop = asyncio.get_running_loop()
        slot = self._slots.get(loop)
        if slot is None:
            slot = self._slots[loop] = asyncio.Semaphore(self.size)
        return slot

    def _take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="antt-request")

    def _give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.kept:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)  # more than ``kept`` requests were in flight at once: let this one end

    async def run(self, call: Any, *args: Any) -> None:
        """Await ``call(*args)`` with the thread-sensitive work inside it on one lent thread."""
        executor = self._take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await call(*args)
        finally:
            self._give_back(executor)


class SyncChainASGIHandler(ASGIHandler):
    """``ASGIHandler`` with the middleware loaded in sync mode: one hand-off runs the chain and the view,
    inside one of ``threads``' places (none given: no bound)."""

    def __init__(self, threads: RequestThreads | None = None) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler's: it loads the middleware in async mode
        self.load_middleware(is_async=False)
        self.threads = threads

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # BaseHandler.get_response: the URL conf, the chain, the request's closers, the error log.
        respond = sync_to_async(self.get_response, thread_sensitive=True)
        if self.threads is None:
            return await respond(request)
        async with self.threads.slot():
            return await respond(request)


def application() -> Any:
    """The HTTP application (sets Django up): Django's handler on ``settings.REQUEST_THREADS`` threads."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    pool = RequestThreads(settings.REQUEST_THREADS)
    handler = SyncChainASGIHandler(pool)

    async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await pool.run(handler, scope, receive, send)

    http.pool = pool  # type: ignore[attr-defined]
    return http
