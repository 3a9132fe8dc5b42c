from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "antt.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from antt.events import dashboard
        from antt.planning.dashboard import provide

        dashboard.register(provide)
