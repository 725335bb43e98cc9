from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "shanzhi.proactive"
    label = "proactive"
    verbose_name = _("主动治理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        periodic.register("proactive.detect_hotspots", "*/15 * * * *", "shanzhi.proactive.tasks.detect_hotspots")
        periodic.register("proactive.propose_duplicates", "*/5 * * * *", "shanzhi.proactive.tasks.propose_duplicates")
