"""The shape of the forces pages' input; ``services`` enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class LinkAccountForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("The account this officer signs in with; empty: unlink."),
    )

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account with the username “%(name)s”."), params={"name": username}
            )
        return user
