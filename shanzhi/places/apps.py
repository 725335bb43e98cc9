from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "shanzhi.places"
    label = "places"
    verbose_name = _("地址与地点")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.places import services  # noqa: F401  (connects the cache-invalidation receivers)
