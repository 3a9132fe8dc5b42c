from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

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
