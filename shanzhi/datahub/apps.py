from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "shanzhi.datahub"
    label = "datahub"
    verbose_name = "治理数据中心"
    default_auto_field = "django.db.models.BigAutoField"
