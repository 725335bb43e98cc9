from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "shanzhi.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from django.core import checks

        from shanzhi.orgs.sign_in import check_no_demo_accounts

        checks.register(check_no_demo_accounts, checks.Tags.security, deploy=True)

        from django.utils.translation import gettext_lazy as _

        from shanzhi.core import menu
        from shanzhi.orgs import permissions

        menu.register(menu.MenuEntry("api_keys", _("接口密钥"), "console:api_keys", 910, permissions.may_administer))
        menu.register(
            menu.MenuEntry("two_factor", _("两步验证"), "console:two_factor", 920, permissions.is_active_staff)
        )
