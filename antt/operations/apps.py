from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "antt.operations"
    label = "operations"
    verbose_name = _("Live operations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from antt.core.shortcache import forget
        from antt.operations.models import IncidentCategory

        # A category saved here: the categories this process keeps for reports are forgotten (core.shortcache).
        post_save.connect(forget, sender=IncidentCategory, dispatch_uid="forget-categories")
        post_delete.connect(forget, sender=IncidentCategory, dispatch_uid="forget-categories-d")
