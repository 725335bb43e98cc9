from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "shanzhi.open311"
    label = "open311"
    verbose_name = "Open311 GeoReport v2"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        # A media fetch whose task was lost (the queue down when the request came in) is tried again.
        periodic.register("open311.sweep_media", "*/10 * * * *", "shanzhi.open311.tasks.sweep_media")
