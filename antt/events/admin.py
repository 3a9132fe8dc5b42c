from __future__ import annotations

from typing import Any

from django.contrib import admin

from antt.audit.admin import AuditedModelAdmin
from antt.events.models import Event, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # memberships are changed on the event's member page, where the rules are checked

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    list_display = ["code", "name_vi", "name_en", "starts_at", "ends_at", "status"]
    search_fields = ["code", "name_vi", "name_en", "search_text"]
    list_filter = ["status"]
    inlines = [MembershipInline]

    def _event_of(self, obj: Any) -> Any:
        return obj

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)
