"""The shape of the editor's input. The services enforce the rules; these only check types and presence.

Datetimes are entered in the event's local time (``<input type="datetime-local">``): validate a form
inside ``timezone.override(event.tz)`` so that they come out aware in that zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class _LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class WindowForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=_LocalDateTime())
    ends_at = forms.DateTimeField(label=_("To"), widget=_LocalDateTime())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class AssignForm(WindowForm):
    """One click: the officer and the window (hidden fields of the candidate's button)."""

    officer = forms.IntegerField(label=_("Officer"), min_value=1)


class BulkAssignForm(WindowForm):
    unit = forms.IntegerField(label=_("Unit"), min_value=1)


def errors_of(form: forms.Form) -> str:
    """A form's errors as one sentence for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
