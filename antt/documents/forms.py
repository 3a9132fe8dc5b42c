from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antt.core.permissions import Clearance
from antt.documents.models import Grant

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DocumentForm(forms.Form):
    title_vi = forms.CharField(label=_("Title (Vietnamese)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English, optional)"), max_length=300, required=False)
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Clearance.choices, coerce=int, initial=Clearance.CONFIDENTIAL
    )
    owner_unit = forms.TypedChoiceField(label=_("Owner unit"), coerce=int, required=False, empty_value=None)
    require_acknowledgement = forms.BooleanField(label=_("Readers must acknowledge reading"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, image or office document)"))


class GrantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Grant to"), choices=Grant.Kind.choices)
    user = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    include_subunits = forms.BooleanField(label=_("and its sub-units"), required=False, initial=True)
    post = forms.TypedChoiceField(label=_("Post (duty)"), coerce=int, required=False, empty_value=None)
    programme_item = forms.TypedChoiceField(
        label=_("Programme item (duty)"), coerce=int, required=False, empty_value=None
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=DATETIME_LOCAL)
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=DATETIME_LOCAL)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("user", "unit", "post", "programme_item"):
            self.fields[name].choices = [("", "—"), *choices.get(name, [])]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {"person": "user", "unit": "unit"}.get(data.get("kind", ""))
        if needed and not data.get(needed):
            self.add_error(needed, _("Choose who receives the grant."))
        if data.get("kind") == "duty" and not (data.get("post") or data.get("programme_item")):
            self.add_error("post", _("Choose a post or a programme item."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", _("The end must be after the start."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    classification = forms.TypedChoiceField(
        label=_("New classification"), choices=Clearance.choices, coerce=int, required=False
    )
