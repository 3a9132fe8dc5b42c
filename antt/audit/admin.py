from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from antt.audit import services
from antt.audit.models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin writes are audited like every other write (the admin is a door too)."""

    audit_fields: tuple[str, ...] = ()

    def _event_of(self, obj: Any) -> Any:
        return getattr(obj, "event", None)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = self.audit_fields or tuple(f.name for f in obj._meta.concrete_fields if f.name != "password")
        with transaction.atomic():
            before = {}
            if change and obj.pk:
                old = type(obj).objects.get(pk=obj.pk)
                before = services.snapshot(old, fields)
            super().save_model(request, obj, form, change)
            services.record(
                actor=request.user,
                action=f"admin.{'change' if change else 'add'}.{obj._meta.label_lower}",
                target=obj,
                event=self._event_of(obj),
                changes=services.diff(before, services.snapshot(obj, fields)),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            label, pk, text, event = obj._meta.label_lower, obj.pk, str(obj), self._event_of(obj)
            super().delete_model(request, obj)
            services.record(
                actor=request.user,
                action=f"admin.delete.{label}",
                event=event,
                object_type=label,
                object_id=str(pk),
                object_repr=text,
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["chain", "seq", "created_at", "actor_name", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor_name", "object_repr", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
