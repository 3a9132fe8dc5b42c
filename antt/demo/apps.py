from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo seeding: above every domain app, imported by none of them (``antt demo``)."""

    name = "antt.demo"
    label = "demo"
    verbose_name = _("Demo")
