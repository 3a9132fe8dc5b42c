"""REST endpoints for events and memberships: the same queries and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import StrictCharField, StrictDateTimeField, StrictSlugField, TimeZoneField
from antt.core.errors import Invalid
from antt.core.pagination import PagedListMixin
from antt.core.permissions import Clearance, Role
from antt.events import queries, services
from antt.events.models import Event, Membership


class EventSerializer(serializers.ModelSerializer[Event]):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "code",
            "name_vi",
            "name_en",
            "starts_at",
            "ends_at",
            "time_zone",
            "status",
            "otp_optional_roles",
            "my_role",
        ]
        read_only_fields = fields

    def get_my_role(self, event: Event) -> str | None:
        membership = event.membership_for(self.context["request"].user)
        return membership.role if membership else None


class EventCreateSerializer(serializers.Serializer[Any]):
    code = StrictSlugField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    starts_at = StrictDateTimeField()
    ends_at = StrictDateTimeField()
    time_zone = TimeZoneField(required=False)


class EventUpdateSerializer(serializers.Serializer[Any]):
    name_vi = StrictCharField(max_length=200, required=False)
    name_en = StrictCharField(max_length=200, required=False)
    starts_at = StrictDateTimeField(required=False)
    ends_at = StrictDateTimeField(required=False)
    time_zone = TimeZoneField(required=False)
    otp_optional_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )


class EventStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Event.Status.choices)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "full_name", "role", "clearance", "is_active", "created_at"]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer[Any]):
    username = StrictCharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    clearance = serializers.ChoiceField(choices=Clearance.choices, default=Clearance.NONE)


class MembershipUpdateSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    clearance = serializers.ChoiceField(choices=Clearance.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class EventListView(PagedListMixin, APIView):
    @extend_schema(responses=EventSerializer(many=True), summary="Events I belong to")
    def get(self, request: Request) -> Response:
        events = queries.events_for(request.user, search=request.query_params.get("q", ""))
        return self.paged(
            request, events, lambda page: EventSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=EventCreateSerializer, responses={201: EventSerializer}, summary="Create an event")
    def post(self, request: Request) -> Response:
        form = EventCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        event = services.create_event(actor=request.user, **form.validated_data)
        return Response(
            EventSerializer(event, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class EventDetailView(APIView):
    write_action = "event.change"

    @extend_schema(responses=EventSerializer, summary="One event")
    def get(self, request: Request, code: str) -> Response:
        event = queries.get_event_for(request.user, code)
        return Response(EventSerializer(event, context={"request": request}).data)

    @extend_schema(request=EventUpdateSerializer, responses=EventSerializer, summary="Change an event")
    def patch(self, request: Request, code: str) -> Response:
        event = queries.get_event_for(request.user, code)
        form = EventUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        event = services.update_event(actor=request.user, event=event, **form.validated_data)
        return Response(EventSerializer(event, context={"request": request}).data)


class EventStatusView(APIView):
    write_action = "event.change_status"

    @extend_schema(
        request=EventStatusSerializer, responses=EventSerializer, summary="Move the event's status on"
    )
    def post(self, request: Request, code: str) -> Response:
        event = queries.get_event_for(request.user, code)
        form = EventStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        event = services.change_event_status(
            actor=request.user, event=event, status=form.validated_data["status"]
        )
        return Response(EventSerializer(event, context={"request": request}).data)


class MembershipListView(PagedListMixin, APIView):
    write_action = "membership.manage"

    @extend_schema(responses=MembershipSerializer(many=True), summary="Members of an event")
    def get(self, request: Request, code: str) -> Response:
        event = queries.get_event_for(request.user, code, action="membership.view")
        return self.paged(
            request, queries.memberships_of(event), lambda page: MembershipSerializer(page, many=True).data
        )

    @extend_schema(
        request=MembershipCreateSerializer, responses={201: MembershipSerializer}, summary="Add a member"
    )
    def post(self, request: Request, code: str) -> Response:
        # permission first: someone who may not add members learns nothing about the accounts
        event = queries.get_event_for(request.user, code, action="membership.manage")
        form = MembershipCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = services.find_user(data["username"])
        if user is None:
            from django.utils.translation import gettext as _

            raise Invalid(
                _("No active account with the username “%(name)s”.") % {"name": data["username"]},
                field="username",
            )
        membership = services.add_member(
            actor=request.user, event=event, user=user, role=data["role"], clearance=data["clearance"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailView(APIView):
    write_action = "membership.manage"

    @extend_schema(responses=MembershipSerializer, summary="One membership")
    def get(self, request: Request, code: str, membership_id: int) -> Response:
        event = queries.get_event_for(request.user, code)
        membership = queries.get_membership_for(request.user, event, membership_id)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        request=MembershipUpdateSerializer, responses=MembershipSerializer, summary="Change a membership"
    )
    def patch(self, request: Request, code: str, membership_id: int) -> Response:
        event = queries.get_event_for(request.user, code)
        membership = queries.get_membership_for(
            request.user, event, membership_id, action="membership.manage"
        )
        form = MembershipUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        membership = services.change_member(actor=request.user, membership=membership, **form.validated_data)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove a member")
    def delete(self, request: Request, code: str, membership_id: int) -> Response:
        event = queries.get_event_for(request.user, code)
        membership = queries.get_membership_for(
            request.user, event, membership_id, action="membership.manage"
        )
        services.remove_member(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
