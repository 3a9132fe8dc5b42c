from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "antt.documents"
    label = "documents"
    verbose_name = _("Classified documents")

    def ready(self) -> None:
        from antt.documents import checks  # noqa: F401  (registers the deploy checks)
