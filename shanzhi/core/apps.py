from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "核心 Core"
    name = "shanzhi.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import audit
        from shanzhi.core.observability import gauges

        gauges.register()
        audit.connect()
