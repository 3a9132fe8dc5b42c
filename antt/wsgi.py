"""WSGI entry point, for servers that do not speak ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antt.settings")

application = get_wsgi_application()

from antt.core.startup import refuse_unsafe_start  # noqa: E402  (needs the app registry)

refuse_unsafe_start()
