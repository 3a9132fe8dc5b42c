"""HTML input shape of rostering; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antt.forces.models import Officer
from antt.rostering.services import MAX_TIME_LIMIT


def _label(officer: Officer) -> str:
    return f"{officer.code} · {officer}"


class StartRunForm(forms.Form):
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"), min_value=1, max_value=MAX_TIME_LIMIT, initial=30
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31 - 1, initial=1)


class ReplanForm(StartRunForm):
    officer: forms.ModelChoiceField[Officer] = forms.ModelChoiceField(
        label=_("Officer"), queryset=Officer.objects.none()
    )
    unavailable_from = forms.DateTimeField(
        label=_("Unavailable from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers
        field.label_from_instance = _label  # type: ignore[method-assign,assignment]
