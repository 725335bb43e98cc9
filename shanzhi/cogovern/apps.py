from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CogovernConfig(AppConfig):
    name = "shanzhi.cogovern"
    label = "cogovern"
    verbose_name = _("多元共治")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shanzhi.cogovern import access, sections
        from shanzhi.core import menu, report_sections

        menu.register(menu.MenuEntry("cogovern", _("多元共治"), "cogovern:index", order=150, visible=access.may_read))
        report_sections.register("cogovern", sections.cogovern_section, order=150)
        report_sections.register("publicity", sections.publicity_section, order=151)

        from shanzhi.cogovern.selectors import demands_by_state
        from shanzhi.core.observability import metrics

        metrics.register_gauge(
            "shanzhi_cogovern_demands", "Residents' demands by state", demands_by_state, labels=("state",)
        )
