"""ASGI entry point (served by uvicorn): HTTP through Django, WebSockets (the live board, the officer's
dispatches) through Channels with the session's user, from this site's own origins only.

Django has no lifespan support: uvicorn would log "ASGI 'lifespan' protocol appears unsupported" at every
start. ``application`` answers the lifespan messages itself; at startup it starts warming the worker's live
coverage index in a background thread (:mod:`antt.planning.warming`; ``ANTT_WARM_COVERAGE=0`` turns it off),
and reports the startup complete at once: the worker serves while it warms.
"""

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")

from antt.core import asgi_handler  # imports Django's handlers only; sets nothing up

# Django's handler; each request's synchronous work in one hand-off to a reused thread.
django_application = asgi_handler.application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the app registry)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from antt.core.startup import refuse_unsafe_start  # noqa: E402
from antt.operations.routing import websocket_urlpatterns  # noqa: E402
from antt.planning import warming  # noqa: E402

refuse_unsafe_start()

_router = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                warming.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    else:
        await _router(scope, receive, send)
