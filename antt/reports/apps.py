from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "antt.reports"
    verbose_name = _("Briefing and reports")
