from django.apps import AppConfig


class CogovernConfig(AppConfig):
    name = "shanzhi.cogovern"
    label = "cogovern"
    verbose_name = "多元共治"
    default_auto_field = "django.db.models.BigAutoField"
