from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shanzhi.reports"
    label = "reports"
    verbose_name = _("统计分析")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import periodic

        periodic.register("reports.refresh_facts", "*/5 * * * *", "shanzhi.reports.tasks.refresh_facts")
        periodic.register("reports.rebuild_recent_facts", "30 2 * * *", "shanzhi.reports.tasks.rebuild_recent_facts")
        periodic.register("reports.weekly_supervision", "0 7 * * 1", "shanzhi.reports.tasks.weekly_supervision_report")
