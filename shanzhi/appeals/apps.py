from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "shanzhi.appeals"
    label = "appeals"
    verbose_name = _("诉求办理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.appeals.routing_history import confirmed_examples
        from shanzhi.routing.history_port import history_source_register

        history_source_register(confirmed_examples)

        from shanzhi.core import periodic

        periodic.register(
            "appeals.retention_anonymise", "30 2 * * *", "shanzhi.appeals.tasks_retention.anonymise_closed"
        )
