from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "shanzhi.sla"
    label = "sla"
    verbose_name = "时限与督办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic
        from shanzhi.sla import calendar  # noqa: F401  (connects the cache-invalidation receivers)

        periodic.register("sla.sweep_deadlines", "* * * * *", "shanzhi.sla.tasks.sweep_deadlines")
