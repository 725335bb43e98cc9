from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shanzhi.notifications"
    label = "notifications"
    verbose_name = _("群众通知")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        periodic.register("notifications.deliver_outbox", "* * * * *", "shanzhi.notifications.tasks.deliver_outbox")

        from shanzhi.core import task_recovery
        from shanzhi.notifications.delivery import outbox_release_dead_claims

        task_recovery.register("notifications", outbox_release_dead_claims)

        from shanzhi.core.observability import metrics
        from shanzhi.notifications.selectors import outbox_depth

        metrics.register_gauge(
            "shanzhi_outbox_messages", "Citizen notifications not yet sent, by state", outbox_depth, labels=("state",)
        )
