from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "shanzhi.mediation"
    label = "mediation"
    verbose_name = _("矛盾纠纷调解")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shanzhi.core import menu, periodic, report_sections
        from shanzhi.mediation import notices, policy
        from shanzhi.mediation.kpis import mediation_committee_section, mediation_section

        menu.register(
            menu.MenuEntry("mediation", _("矛盾纠纷调解"), "mediation:index", order=130, visible=policy.may_open)
        )
        report_sections.register("mediation", mediation_section, order=130)
        report_sections.register("mediation_committees", mediation_committee_section, order=131)
        periodic.register("mediation.sweep", "*/5 * * * *", "shanzhi.mediation.tasks.sweep_mediation")
        periodic.register("mediation.appointment_reminders", "0 * * * *", "shanzhi.mediation.tasks.remind_appointments")
        notices.register()
