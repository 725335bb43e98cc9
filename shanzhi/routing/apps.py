from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "shanzhi.routing"
    label = "routing"
    verbose_name = _("智能派单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic
        from shanzhi.routing import catalogue  # noqa: F401  (connects the cache-invalidation receivers)

        # Weekly, at night: a new classifier from the centre's confirmed history, promoted only if not worse.
        periodic.register("routing.retrain_classifier", "0 3 * * 1", "shanzhi.routing.tasks.retrain_classifier")
