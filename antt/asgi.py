"""ASGI entry point (served by uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")

application = get_asgi_application()

from antt.core.startup import refuse_unsafe_start  # noqa: E402  (needs the app registry)

refuse_unsafe_start()
