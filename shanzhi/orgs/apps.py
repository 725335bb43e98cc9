from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "shanzhi.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "组织 Orgs"

    def ready(self) -> None:
        from django.core import checks

        from shanzhi.orgs.sign_in import check_no_demo_accounts

        checks.register(check_no_demo_accounts, checks.Tags.security, deploy=True)
