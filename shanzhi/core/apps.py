from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    verbose_name = _("系统核心")
    name = "shanzhi.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import audit
        from shanzhi.core.observability import gauges

        gauges.register()
        audit.connect()
