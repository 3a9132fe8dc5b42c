from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from antt.core.permissions import Clearance, Role
from antt.events.models import Event


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    clearance = forms.TypedChoiceField(
        label=_("Clearance"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account with the username “%(name)s”."), params={"name": username}
            )
        return user


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    clearance = forms.TypedChoiceField(label=_("Clearance"), choices=Clearance.choices, coerce=int)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class EventStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Event.Status.choices)


LOCAL = "%Y-%m-%dT%H:%M"
RESERVED_CODES = {"new", "switch"}  # the event list's own addresses


class _Local(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL)


class EventForm(forms.Form):
    """An event's code, names, time zone and window; the window is entered in the chosen time zone."""

    code = forms.SlugField(
        label=pgettext_lazy("object code", "Code"),
        max_length=40,
        help_text=_("Short, unique, used in addresses, e.g. asean-2020."),
    )
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial=settings.DEFAULT_EVENT_TIME_ZONE,
        help_text=_("e.g. Asia/Ho_Chi_Minh"),
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_Local(), input_formats=[LOCAL])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_Local(), input_formats=[LOCAL])

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if event is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_code(self) -> str:
        value = self.cleaned_data.get("code") or ""
        if value in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        return value

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("%(value)s is not a known time zone (e.g. Asia/Ho_Chi_Minh)."), params={"value": value}
            ) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tz = data.get("time_zone")
        for name in ("starts_at", "ends_at"):
            # Entered as wall time of the event's zone (the field made it aware in the active zone).
            if data.get(name) and tz:
                data[name] = timezone.make_naive(data[name]).replace(tzinfo=zoneinfo.ZoneInfo(tz))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        if data.get("name_vi") and not data.get("name_en"):
            data["name_en"] = data["name_vi"]
        return data
