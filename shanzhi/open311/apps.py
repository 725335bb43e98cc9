from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "shanzhi.open311"
    label = "open311"
    verbose_name = _("Open311 接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        # A media fetch whose task was lost (the queue down when the request came in) is tried again.
        periodic.register("open311.sweep_media", "*/10 * * * *", "shanzhi.open311.tasks.sweep_media")
