"""The shape of plan input in the HTML pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from antt.core.permissions import Clearance
from antt.plans.models import Plan

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Plan.Kind.choices)
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Short and unique in the event, e.g. PA-CHAY-ICC.")
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        choices=Clearance.choices,
        coerce=int,
        required=False,
        empty_value=Clearance.CONFIDENTIAL,  # type: ignore[arg-type]  # django-stubs: str only; any value works
        initial=Clearance.CONFIDENTIAL,
        help_text=_("The marking shown on every page of the plan."),
    )
    title_vi = forms.CharField(label=_("Title (Vietnamese)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English, optional)"), max_length=300, required=False)
    trigger_vi = forms.CharField(
        label=_("Trigger (Vietnamese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Contingency plans only: what sets the plan off, e.g. a fire alarm at the convention centre."
        ),
    )
    trigger_en = forms.CharField(
        label=_("Trigger (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body_vi = forms.CharField(
        label=_("Text (Vietnamese)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    responsible = forms.CharField(
        label=_("Responsible commander (service number)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "commanders", "autocomplete": "off"}),
    )
    sites = forms.TypedMultipleChoiceField(
        label=_("Sites covered"), required=False, coerce=int, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    programme_items = forms.TypedMultipleChoiceField(
        label=_("Programme items covered"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=500, required=False)
    base = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, sites: Any = (), programme_items: Any = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].choices = sites  # type: ignore[attr-defined]
        self.fields["programme_items"].choices = programme_items  # type: ignore[attr-defined]
        if editing:  # a plan's kind, code and classification stay what they were
            del self.fields["kind"]
            del self.fields["code"]
            del self.fields["classification"]


class TaskForm(forms.Form):
    key = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    text_vi = forms.CharField(
        label=_("Task (Vietnamese)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_en = forms.CharField(
        label=_("Task (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    commander = forms.CharField(
        label=_("Responsible commander (service number)"),
        max_length=40,
        required=False,
        help_text=_("Empty: the unit's commander."),
        widget=forms.TextInput(attrs={"list": "commanders", "autocomplete": "off"}),
    )
    offset_minutes = forms.IntegerField(
        label=_("Minutes after the trigger"), required=False, min_value=-10080, max_value=20160
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("unit") and not (data.get("text_vi") or "").strip()


TaskFormSet = formset_factory(TaskForm, extra=2, can_delete=True, max_num=300, validate_max=True)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must change"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), max_length=4000, required=False)
