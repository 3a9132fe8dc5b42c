from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "antt.operations"
    label = "operations"
    verbose_name = _("Live operations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from antt.core.shortcache import forget
        from antt.forces.models import Officer
        from antt.operations.models import IncidentCategory, PostProof

        # Saved here: what this process keeps for the field API is forgotten (core.shortcache) — a category
        # (reports), a post's proof settings (its radius) or an officer (their link to an account) for the
        # duties kept for position batches (``field_queries.DUTY_WINDOWS``).
        for model, uid in ((IncidentCategory, "categories"), (PostProof, "proofs"), (Officer, "officers")):
            post_save.connect(forget, sender=model, dispatch_uid=f"forget-{uid}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"forget-{uid}-d")
