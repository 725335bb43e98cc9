from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shanzhi.supervision"
    label = "supervision"
    verbose_name = _("预警与督办")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        periodic.register("supervision.sweep_deadlines", "* * * * *", "shanzhi.supervision.tasks.sweep_deadlines")

        from shanzhi.core.observability import metrics
        from shanzhi.supervision.selectors import overdue_assignments, supervision_orders_open

        metrics.register_gauge(
            "shanzhi_assignments_overdue", "Active assignments past their deadline", overdue_assignments
        )
        metrics.register_gauge(
            "shanzhi_supervision_orders_open", "Supervision orders not yet answered", supervision_orders_open
        )
