from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "shanzhi.portal"
    label = "portal"
    verbose_name = _("群众门户")
    default_auto_field = "django.db.models.BigAutoField"
