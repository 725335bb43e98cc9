from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shanzhi.supervision"
    label = "supervision"
    verbose_name = "预警与督办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        periodic.register("supervision.sweep_deadlines", "* * * * *", "shanzhi.supervision.tasks.sweep_deadlines")
