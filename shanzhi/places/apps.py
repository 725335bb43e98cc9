from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "shanzhi.places"
    label = "places"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.places import services  # noqa: F401  (connects the cache-invalidation receivers)
