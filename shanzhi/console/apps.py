from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "shanzhi.console"
    label = "console"
    verbose_name = _("工作台")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.console.navigation import register_desk_entries

        register_desk_entries()
