"""ASGI entry point (served by uvicorn).

Django has no lifespan support: uvicorn would log "ASGI 'lifespan' protocol appears unsupported" at every
start. ``application`` answers the lifespan messages itself (nothing to set up or tear down) and hands
every HTTP request to Django.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")

django_application = get_asgi_application()

from antt.core.startup import refuse_unsafe_start  # noqa: E402  (needs the app registry)

refuse_unsafe_start()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    else:
        await django_application(scope, receive, send)
