from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "shanzhi.grid"
    label = "grid"
    verbose_name = _("网格管理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shanzhi.core import menu, report_sections
        from shanzhi.grid import selectors
        from shanzhi.grid.report import grid_kpis_section

        menu.register(menu.MenuEntry("grid", _("网格管理"), "grid:index", 100, selectors.may_view_grid_overview))
        report_sections.register("grid", grid_kpis_section, order=100)
