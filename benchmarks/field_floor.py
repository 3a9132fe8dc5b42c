"""The server ``benchmarks/field.py floor`` runs: the project's ASGI application, unchanged, with four
endpoints that write nothing, to say what a report costs above the floor of the stack it runs on.

- ``/api/v1/floor/asgi/``: answered by a bare ASGI callable before Django (uvicorn and the client only);
- ``/api/v1/floor/django/``: a plain Django view through the whole middleware, no authentication;
- ``/api/v1/floor/auth/<code>/``: a DRF view that signs the token in (``TokenAuthentication``), answers 201;
- ``/api/v1/floor/event/<code>/``: the same plus the report view's checks before its body (the event, the
  membership, the right to report: ``FieldView``'s permissions).

Benchmark only: never imported by the project.
"""

from __future__ import annotations

from typing import Any

from antt.asgi import application as project  # sets Django up: the rest is imported after it


def _install() -> None:
    from django.http import HttpRequest, HttpResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt
    from rest_framework import permissions
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from antt import urls as project_urls
    from antt.operations.field_api import FieldView

    class AuthOnly(APIView):
        permission_classes = [permissions.IsAuthenticated]

        def post(self, request: Request, code: str) -> Response:
            return Response({"ok": True}, status=201)

    class AuthEvent(FieldView):
        def post(self, request: Request, code: str) -> Response:
            self.event(request, code)
            return Response({"ok": True}, status=201)

    @csrf_exempt
    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")

    project_urls.urlpatterns[:0] = [
        path("api/v1/floor/django/", bare),
        path("api/v1/floor/auth/<slug:code>/", AuthOnly.as_view()),
        path("api/v1/floor/event/<slug:code>/", AuthEvent.as_view()),
    ]


_install()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/api/v1/floor/asgi/":
        more = True
        while more:  # the body, read as Django would
            more = (await receive()).get("more_body", False)
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok": true}'})
        return
    await project(scope, receive, send)
