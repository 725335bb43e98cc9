"""Which parts of the console a user's roles open (DESIGN §11: the left navigation by task)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.selectors import sees_everything
from shanzhi.orgs.models import TERRITORIAL_KINDS, Role, User

CENTRE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.ANALYST})
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.GRID_WORKER})
INTAKE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER, Role.ADMIN})
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})
SUPERVISION_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.UNIT_HEAD})
ANALYSIS_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.ADMIN})
HOTSPOT_DESK_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.ANALYST})


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url: str


def is_centre_user(user: User) -> bool:
    return user.is_superuser or user.has_role(*CENTRE_ROLES)


def is_unit_user(user: User) -> bool:
    return user.has_role(*UNIT_ROLES)


def may_intake(user: User) -> bool:
    return user.is_superuser or user.has_role(*INTAKE_ROLES)


def may_supervise(user: User) -> bool:
    return user.is_superuser or user.has_role(*SUPERVISION_ROLES)


def may_analyse(user: User) -> bool:
    return user.is_superuser or user.has_role(*ANALYSIS_ROLES)


def may_dispatch(user: User) -> bool:
    return user.is_superuser or user.has_role(*DISPATCH_ROLES)


def sees_all_hotspots(user: User) -> bool:
    """The centre's desk sees every live hotspot; a territorial unit's head or dispatcher only those of its area.
    A desk role counts district-wide only where its holder's appeals do (a dispatcher of the centre, not of a
    town)."""
    return user.is_superuser or (user.has_role(*HOTSPOT_DESK_ROLES) and sees_everything(user))


def may_view_hotspots(user: User) -> bool:
    if sees_all_hotspots(user):
        return True
    unit = user.unit
    return user.has_role(Role.UNIT_HEAD, Role.DISPATCHER) and unit is not None and unit.kind in TERRITORIAL_KINDS


def may_administer(user: User) -> bool:
    return user.is_staff and (user.is_superuser or user.has_role(Role.ADMIN))


def nav_items(user: User) -> list[NavItem]:
    """The left navigation, only what ``user`` may use."""
    items = [NavItem("workbench", _("工作台"), reverse("console:workbench"))]
    if may_intake(user):
        items.append(NavItem("intake", _("诉求受理"), reverse("console:intake")))
    if may_dispatch(user):
        items.append(NavItem("dispatch", _("派单"), reverse("console:workbench") + "?bucket=to_dispatch"))
        items.append(NavItem("duplicates", _("疑似重复"), reverse("console:duplicates")))
    if may_view_hotspots(user):
        items.append(NavItem("hotspots", _("热点预警"), reverse("console:hotspots")))
    from shanzhi.reports import selectors as reports

    if may_supervise(user):
        items.append(NavItem("supervision", _("督办"), reverse("console:supervision")))
    if may_supervise(user) or user.has_role(Role.HANDLER):
        items.append(NavItem("weekly", _("周报督办"), reverse("reports:weekly")))
    if reports.may_view_reports(user):
        items.append(NavItem("analysis", _("统计分析"), reverse("reports:index")))
    if reports.sees_centre_wide(user):
        items.append(NavItem("dashboard", _("指挥大屏"), reverse("reports:dashboard")))
    if is_centre_user(user) or is_unit_user(user):
        items.append(NavItem("knowledge", _("知识库"), reverse("knowledge:list")))
    if may_administer(user):
        items.append(NavItem("admin", _("系统管理"), reverse("admin:index")))
    return items


def role_labels(user: User) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[code]) for code in sorted(user.role_codes) if code in labels]
