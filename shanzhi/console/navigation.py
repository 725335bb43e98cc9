"""The console's own entries in the left navigation (DESIGN §11), and the role labels of the top bar.

The menu is the kernel's registry (:mod:`shanzhi.core.menu`); other apps add their entries in their own
``AppConfig.ready()``. Who may see what comes from the one policy module, :mod:`shanzhi.orgs.permissions`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.core import menu
from shanzhi.core.menu import MenuEntry, MenuItem
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, User
from shanzhi.supervision.selectors import answers_for_unit


def _everyone(user: User) -> bool:
    return permissions.is_active_staff(user)


def _weekly(user: User) -> bool:
    return permissions.may_open_supervision_desk(user) or permissions.holds(user, {Role.HANDLER})


def _supervision_orders(user: User) -> bool:
    return permissions.may_issue_supervision(user) or answers_for_unit(user)


def _reports(user: User) -> bool:
    unit_ids = permissions.report_unit_ids(user)
    return unit_ids is None or bool(unit_ids)


def _knowledge(user: User) -> bool:
    return permissions.is_centre_user(user) or permissions.is_unit_user(user)


DESK_ENTRIES = (
    MenuEntry("workbench", _("工作台"), "console:workbench", 10, _everyone),
    MenuEntry("intake", _("诉求受理"), "console:intake", 20, permissions.may_intake),
    MenuEntry("dispatch", _("派单"), "console:workbench", 30, permissions.may_dispatch, query="?bucket=to_dispatch"),
    MenuEntry("duplicates", _("疑似重复"), "console:duplicates", 35, permissions.may_dispatch),
    MenuEntry("hotspots", _("热点预警"), "console:hotspots", 40, permissions.may_view_hotspots),
    MenuEntry("supervision", _("督办"), "console:supervision", 50, permissions.may_open_supervision_desk),
    MenuEntry("supervision_orders", _("督办单"), "console:supervision_orders", 52, _supervision_orders),
    MenuEntry("weekly", _("周报督办"), "reports:weekly", 55, _weekly),
    MenuEntry("analysis", _("统计分析"), "reports:index", 60, _reports),
    MenuEntry("dashboard", _("指挥大屏"), "reports:dashboard", 65, permissions.sees_every_units_figures),
    MenuEntry("knowledge", _("知识库"), "knowledge:list", 70, _knowledge),
    MenuEntry("admin", _("系统管理"), "admin:index", 900, permissions.may_administer),
)


def register_desk_entries() -> None:
    for entry in DESK_ENTRIES:
        menu.register(entry)


def nav_items(user: User) -> list[MenuItem]:
    """The left navigation, only what ``user`` may use."""
    return menu.items_for(user)


def role_labels(user: User) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[code]) for code in sorted(user.role_codes) if code in labels]
