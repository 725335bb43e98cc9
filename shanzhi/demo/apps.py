from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo loader: the composition layer's one app. It may import every other app; none imports it."""

    verbose_name = _("演示数据")
    name = "shanzhi.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
