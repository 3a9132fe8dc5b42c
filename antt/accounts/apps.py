from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "antt.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from antt.accounts import schema  # noqa: F401  (registers the OpenAPI auth extensions)
        from antt.accounts.models import ApiToken, User
        from antt.core.shortcache import forget

        # A token or user saved here: the API sign-ins this process keeps are forgotten (core.shortcache).
        for model in (ApiToken, User):
            post_save.connect(forget, sender=model, dispatch_uid=f"forget-sign-ins-{model.__name__}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"forget-sign-ins-d-{model.__name__}")
