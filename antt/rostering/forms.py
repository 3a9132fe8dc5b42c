"""HTML input shape of rostering; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antt.forces.models import Officer
from antt.rostering.services import MAX_TIME_LIMIT


class StartRunForm(forms.Form):
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"), min_value=1, max_value=MAX_TIME_LIMIT, initial=30
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31 - 1, initial=1)


class ReplanForm(StartRunForm):
    # A search, not a list of every officer (1,200 options): the service number, with suggestions as one
    # types (``rostering:officer-search`` fills the datalist); without JavaScript, type the number.
    officer = forms.CharField(
        label=_("Officer"),
        max_length=40,
        help_text=_("Type the service number or part of the name, then choose from the suggestions."),
    )
    unavailable_from = forms.DateTimeField(
        label=_("Unavailable from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: Any, officers: Any, search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers
        self.fields["officer"].widget.attrs.update(
            {
                "list": "officer-options",
                "autocomplete": "off",
                "hx-get": search_url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#officer-options",
                "hx-swap": "innerHTML",
            }
        )
        self.order_fields(["officer", "unavailable_from", "time_limit", "seed"])

    def clean_officer(self) -> Officer:
        value = self.cleaned_data["officer"].strip()
        code = value.split(" · ", 1)[0].strip()  # a suggestion picked whole ("CA00012 · name")
        officer = self.officers.filter(code=code).first()
        if officer is None:
            raise forms.ValidationError(
                _("No officer with the service number “%(code)s” in this event."), params={"code": code}
            )
        return officer
