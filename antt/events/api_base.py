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

from antt.core.pagination import PagedListMixin
from antt.events import queries as event_queries
from antt.events.models import Event


class EventObjectsView(PagedListMixin, APIView):
    """GET: one page of the event's objects; POST: create one (the service checks the rules and the
    permission)."""

    output: Any
    input: Any

    def context(self, request: Request, event: Event) -> dict[str, Any]:
        """What the output serializer needs besides the objects (e.g. whose contact data the caller sees)."""
        return {"request": request}

    def listed(self, request: Request, event: Event, page: list[Any], context: dict[str, Any]) -> None:
        """A hook after a page was read (e.g. to record a bulk read of personal data)."""

    def objects(self, request: Request, event: Event) -> Any:
        raise NotImplementedError

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        context = self.context(request, event)

        def serialize(page: Any) -> Any:
            self.listed(request, event, list(page), context)
            return self.output(page, many=True, context=context).data

        return self.paged(request, self.objects(request, event), serialize)

    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = self.input(data=request.data)
        form.is_valid(raise_exception=True)
        created = self.create(request, event, dict(form.validated_data))
        return Response(
            self.output(created, context=self.context(request, event)).data, status=status.HTTP_201_CREATED
        )


class EventObjectView(APIView):
    """GET, PATCH and DELETE one object of the event, found through the access-checked query."""

    output: Any
    input: Any

    def context(self, request: Request, event: Event) -> dict[str, Any]:
        """What the output serializer needs besides the object (see ``EventObjectsView.context``)."""
        return {"request": request}

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
        event, obj = self._object(request, code, kwargs)
        return Response(self.output(obj, context=self.context(request, event)).data)

    def patch(self, request: Request, code: str, **kwargs: Any) -> Response:
        event, obj = self._object(request, code, kwargs)
        form = self.input(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        updated = self.update(request, event, obj, dict(form.validated_data))
        return Response(self.output(updated, context=self.context(request, event)).data)

    def delete(self, request: Request, code: str, **kwargs: Any) -> Response:
        _event, obj = self._object(request, code, kwargs)
        self.remove(request, obj)
        return Response(status=status.HTTP_204_NO_CONTENT)
