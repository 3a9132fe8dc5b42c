"""The admin is a door too: every write it allows is audited, and it never shows anyone's secrets.

django-otp's device admins (TOTP secret as key and QR code, backup codes) and django-axes' lockout admins
are replaced here: devices are read-only (the *Reset two-factor sign-in* action on users is the audited
way to remove them), lockout records are read-only except the audited delete of an attempt (an unlock).
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts import services
from antt.accounts.models import ApiToken, User
from antt.audit import services as audit
from antt.audit.admin import AuditedModelAdmin

for _model in (TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedRelationsMixin(AuditedModelAdmin):
    """Also audit the many-to-many fields of the form (groups, permissions), saved after the object."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        names = [f.name for f in obj._meta.many_to_many if f.name in form.cleaned_data]
        before = {n: sorted(str(o) for o in getattr(obj, n).all()) for n in names} if change else {}
        super().save_related(request, form, formsets, change)
        after = {n: sorted(str(o) for o in getattr(obj, n).all()) for n in names}
        delta = audit.diff(before, after)
        if delta:
            audit.record(
                actor=request.user,
                action=f"admin.change_relations.{obj._meta.label_lower}",
                target=obj,
                changes=delta,
            )


@admin.register(User)
class UserAdmin(AuditedRelationsMixin, DjangoUserAdmin):
    audit_fields = ("username", "full_name", "email", "is_active", "is_staff", "is_superuser", "is_demo")
    list_display = ["username", "full_name", "email", "is_active", "is_staff", "is_demo"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("ANTT"), {"fields": ("full_name", "is_demo")}),
    )
    actions = ["reset_two_factor"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit.record(actor=request.user, action="accounts.reset_password", target=user)
                services.revoke_all_tokens(actor=request.user, user=user, reason="accounts.reset_password")
        return response

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            services.reset_two_factor(actor=request.user, user=user)  # type: ignore[arg-type]
        messages.success(request, _("Two-factor sign-in reset; they will enrol again at next sign-in."))


@admin.register(Group)
class GroupAdmin(AuditedRelationsMixin, DjangoGroupAdmin):
    audit_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke_tokens"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        count = services.admin_revoke_tokens(actor=request.user, tokens=list(queryset))
        messages.success(request, _("%(count)d token(s) revoked.") % {"count": count})


class DeviceAdmin(ReadOnlyAdmin):
    """A person's second-factor devices without their secret: no key, no QR code, no backup codes."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedModelAdmin, AxesAccessAttemptAdmin):
    """Deleting an attempt unlocks the account or address: audited. Nothing else changes."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            count = self.handler.clean_expired_user_attempts(request=request)
            audit.record(
                actor=request.user,
                action="admin.delete.axes.accessattempt",
                object_type="axes.accessattempt",
                object_repr=f"{count} expired",
                changes={"expired_attempts_removed": [None, count]},
            )
        self.message_user(request, _("%(count)d expired attempts removed.") % {"count": count})


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, AxesAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin, AxesAccessFailureLogAdmin):
    pass
