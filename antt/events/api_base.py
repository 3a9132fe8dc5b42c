"""Base views for REST endpoints of objects that belong to one event.

``/api/v1/events/{code}/<things>/`` lists and creates, ``…/<things>/{id}/`` reads, changes and deletes. The
event is always looked up with the person's access first (404 for a missing or foreign event); a subclass
names its serializers and supplies the query and service calls. Each subclass describes itself for the
OpenAPI schema with ``extend_schema_view``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.events import queries as event_queries
from antt.events.models import Event


class EventObjectsView(APIView):
    """GET: the event's objects; POST: create one (the service checks the rules and the permission)."""

    output: Any
    input: Any

    def objects(self, request: Request, event: Event) -> Any:
        raise NotImplementedError

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        return Response(self.output(self.objects(request, event), many=True).data)

    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = self.input(data=request.data)
        form.is_valid(raise_exception=True)
        created = self.create(request, event, dict(form.validated_data))
        return Response(self.output(created).data, status=status.HTTP_201_CREATED)


class EventObjectView(APIView):
    """GET, PATCH and DELETE one object of the event, found through the access-checked query."""

    output: Any
    input: Any

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        raise NotImplementedError

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def remove(self, request: Request, obj: Any) -> None:
        raise NotImplementedError

    def _object(self, request: Request, code: str, kwargs: dict[str, Any]) -> tuple[Event, Any]:
        event = event_queries.get_event_for(request.user, code)
        (pk,) = kwargs.values()  # the one id in the URL besides the event's code
        return event, self.fetch(request, event, pk)

    def get(self, request: Request, code: str, **kwargs: Any) -> Response:
        _event, obj = self._object(request, code, kwargs)
        return Response(self.output(obj).data)

    def patch(self, request: Request, code: str, **kwargs: Any) -> Response:
        event, obj = self._object(request, code, kwargs)
        form = self.input(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(self.output(self.update(request, event, obj, dict(form.validated_data))).data)

    def delete(self, request: Request, code: str, **kwargs: Any) -> Response:
        _event, obj = self._object(request, code, kwargs)
        self.remove(request, obj)
        return Response(status=status.HTTP_204_NO_CONTENT)
