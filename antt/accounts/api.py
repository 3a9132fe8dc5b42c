"""The API token endpoints: list, create (the key is shown once), revoke."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.accounts import services
from antt.accounts.models import ApiToken, User
from antt.core.api import StrictCharField, StrictDateTimeField
from antt.core.pagination import PagedListMixin


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer[Any]):
    name = StrictCharField(max_length=100)
    expires_at = StrictDateTimeField(required=False, allow_null=True)


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True)

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenListView(PagedListMixin, APIView):
    @extend_schema(responses=TokenSerializer(many=True), summary="List my API tokens")
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=cast(User, request.user))
        return self.paged(request, tokens, lambda page: TokenSerializer(page, many=True).data)

    @extend_schema(
        request=TokenCreateSerializer, responses={201: TokenCreatedSerializer}, summary="Create a token"
    )
    def post(self, request: Request) -> Response:
        form = TokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token, key = services.create_token(actor=request.user, **form.validated_data)  # type: ignore[arg-type]
        data = dict(TokenSerializer(token).data)
        data["key"] = key
        return Response(data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke a token")
    def delete(self, request: Request, token_id: int) -> Response:
        services.revoke_token(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
