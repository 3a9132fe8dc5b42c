"""WebSocket routes (composed in ``antt/asgi.py``)."""

from django.urls import path

from antt.operations import consumers

websocket_urlpatterns = [
    path("ws/events/<slug:code>/ops/", consumers.BoardConsumer.as_asgi(), name="ws-board"),
    path("ws/events/<slug:code>/officer/", consumers.OfficerConsumer.as_asgi(), name="ws-officer"),
]
