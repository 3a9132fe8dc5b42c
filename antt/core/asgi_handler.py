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
and its ``request_finished`` signal) run on one thread lent from a per-process set of ``ANTT_REQUEST_THREADS``
threads (a one-thread executor each, so "one request, one thread" holds as in Django's handler). A request
that finds all of them busy waits in the event loop for one. The set also bounds the database connections a
process holds at once.
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
    """At most ``size`` request threads at once per event loop (uvicorn runs one loop per process), reused."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _slot(self) -> asyncio.Semaphore:
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
            self._idle.append(executor)

    async def run(self, call: Any, *args: Any) -> None:
        """Await ``call(*args)`` with the thread-sensitive work inside it on one lent thread."""
        async with self._slot():
            executor = self._take()
            try:
                async with ThreadSensitiveContext(executor=executor):
                    await call(*args)
            finally:
                self._give_back(executor)


class SyncChainASGIHandler(ASGIHandler):
    """``ASGIHandler`` with the middleware loaded in sync mode: one hand-off runs the chain and the view."""

    def __init__(self) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler's: it loads the middleware in async mode
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # BaseHandler.get_response: the URL conf, the chain, the request's closers, the error log.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def application() -> Any:
    """The HTTP application (sets Django up): Django's handler on ``settings.REQUEST_THREADS`` threads."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    handler = SyncChainASGIHandler()
    pool = RequestThreads(settings.REQUEST_THREADS)

    async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await pool.run(handler, scope, receive, send)

    http.pool = pool  # type: ignore[attr-defined]
    return http
