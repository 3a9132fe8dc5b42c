from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosteringConfig(AppConfig):
    name = "antt.rostering"
    label = "rostering"
    verbose_name = _("Rostering")

    def ready(self) -> None:
        from antt.events import dashboard
        from antt.rostering.dashboard import provide

        dashboard.register(provide)
