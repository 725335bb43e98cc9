from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "shanzhi.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.routing import catalogue  # noqa: F401  (connects the cache-invalidation receivers)
