from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader: the composition layer's one app. It may import every other app; none imports it."""

    verbose_name = "演示数据 Demo data"
    name = "shanzhi.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
