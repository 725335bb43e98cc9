from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "shanzhi.datahub"
    label = "datahub"
    verbose_name = _("治理数据中心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import menu
        from shanzhi.datahub.selectors import may_use_hub

        menu.register(menu.MenuEntry("datahub", _("治理数据"), "datahub:index", order=110, visible=may_use_hub))
