"""HTML input shape for the forces import: one or two files (an XLSX workbook, or CSV files)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from antt.interop.tables import MAX_BYTES


class ForcesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("An XLSX workbook with a units and an officers sheet, or a CSV file.")
    )
    second_file = forms.FileField(
        label=_("Second CSV file (optional)"),
        required=False,
        help_text=_("With CSV: the units in one file, the officers in the other."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("file", "second_file"):
            upload = data.get(name)
            if upload is not None and getattr(upload, "size", 0) > MAX_BYTES:
                self.add_error(name, _("The file is larger than 10 MB."))
        return data
