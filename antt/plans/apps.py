from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "antt.plans"
    label = "plans"
    verbose_name = _("Plans and contingency plans")

    def ready(self) -> None:
        from antt.events import dashboard
        from antt.plans.dashboard import provide

        dashboard.register(provide)
