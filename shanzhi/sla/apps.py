from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "shanzhi.sla"
    label = "sla"
    verbose_name = _("时限标准")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.sla import calendar  # noqa: F401  (connects the cache-invalidation receivers)
