from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo seeding: above every domain app, imported by none of them (``antt demo``). No models."""

    name = "antt.demo"
    label = "demo"
