from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "antt.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from antt.core.shortcache import forget
        from antt.events.models import Event, Membership

        # A membership or event saved here: the API sign-ins this process keeps are forgotten (core.shortcache).
        for model in (Event, Membership):
            post_save.connect(forget, sender=model, dispatch_uid=f"forget-sign-ins-{model.__name__}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"forget-sign-ins-d-{model.__name__}")
