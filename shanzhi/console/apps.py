from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "shanzhi.console"
    label = "console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.console.navigation import register_desk_entries

        register_desk_entries()
