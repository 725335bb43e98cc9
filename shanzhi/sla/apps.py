from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "shanzhi.sla"
    label = "sla"
    verbose_name = "时限标准"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.sla import calendar  # noqa: F401  (connects the cache-invalidation receivers)
