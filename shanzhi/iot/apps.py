from django.apps import AppConfig


class IotConfig(AppConfig):
    name = "shanzhi.iot"
    label = "iot"
    verbose_name = "物联感知"
    default_auto_field = "django.db.models.BigAutoField"
