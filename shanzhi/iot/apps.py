from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    name = "shanzhi.iot"
    label = "iot"
    verbose_name = _("物联感知")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import menu, periodic
        from shanzhi.core.observability import metrics
        from shanzhi.iot import selectors
        from shanzhi.iot.views import may_open_console

        periodic.register("iot.sweep_offline", "*/5 * * * *", "shanzhi.iot.tasks.sweep_offline")
        periodic.register("iot.sweep_maintenance", "*/10 * * * *", "shanzhi.iot.tasks.sweep_maintenance")
        periodic.register("iot.sweep_care", "17 * * * *", "shanzhi.iot.tasks.sweep_care")
        metrics.register_gauge(
            "shanzhi_iot_alarms_open", "IoT alarms not yet confirmed real or false", selectors.open_alarms_count
        )
        metrics.register_gauge("shanzhi_iot_devices_offline", "IoT devices offline", selectors.offline_devices_count)
        metrics.register_gauge(
            "shanzhi_iot_rejected_messages",
            "IoT messages refused (malformed, unknown device, bad signature), by reason",
            selectors.rejected_counts,
            labels=("reason",),
        )
        menu.register(menu.MenuEntry("iot", _("物联感知"), "iot:alarms", order=130, visible=may_open_console))
