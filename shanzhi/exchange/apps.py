from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "shanzhi.exchange"
    label = "exchange"
    verbose_name = "市级12345对接"
    default_auto_field = "django.db.models.BigAutoField"
