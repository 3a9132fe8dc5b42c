"""Django's own messages that our forms can show, so our Vietnamese catalogue corrects them.

Django's stock Vietnamese is wrong or clumsy in places ("Nhập một số tổng thể." for "Enter a whole number.",
a space before the final full stop, some messages untranslated). Our catalogue (``LOCALE_PATHS``) comes
before Django's; listing the msgids here makes ``makemessages`` keep them in it. Nothing imports this
module at run time; ``core/tests/test_django_messages.py`` shows the corrected messages on real forms.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

MESSAGES = (
    _("This field is required."),
    _("Enter a whole number."),
    _("Enter a number."),
    _("Enter a valid date."),
    _("Enter a valid time."),
    _("Enter a valid date/time."),
    _("Enter a valid duration."),
    _("Enter a valid value."),
    _("Enter a valid email address."),
    _("Enter a valid URL."),
    _("Enter a valid JSON."),
    _("Enter a list of values."),
    _("Select a valid choice. %(value)s is not one of the available choices."),
    _("Select a valid choice. That choice is not one of the available choices."),
    _("Ensure this value is less than or equal to %(limit_value)s."),
    _("Ensure this value is greater than or equal to %(limit_value)s."),
    _("The submitted file is empty."),
    _("No file was submitted. Check the encoding type on the form."),
    _("%(model_name)s with this %(field_label)s already exists."),
    _("This field cannot be blank."),
    _("This field cannot be null."),
    _("Value %(value)r is not a valid choice."),
)

PLURAL_MESSAGES = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
)
