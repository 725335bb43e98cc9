"""Who may do what: the one policy module every app asks (DESIGN §3 and §7, ADR 0001).

Roles are Django groups named by :class:`~shanzhi.orgs.models.Role` code. Here they are grouped by what they open,
and here are the predicates built on them, so that a rule is written once: the appeal desk's transition table, the
console's navigation and queues, the reports, the hotspots and every new app ask these instead of spelling out
role sets of their own.

Data scope (ADR 0001): a staff member belongs to one unit; the centre (a user of the centre unit, or a role that
sees the whole district) sees everything; a territorial unit sees its subtree; a department what is assigned to it.
A role never widens the unit's scope: a town's dispatcher is held to its town.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from shanzhi.orgs.models import TERRITORIAL_KINDS, Role, Unit, UnitKind, User

R = Role

# --- role groups, named by what they open -------------------------------------------------------------------------

#: See every appeal and every unit's work wherever they sit.
WHOLE_DISTRICT_ROLES = frozenset({R.LEADER, R.ANALYST, R.ADMIN})
#: The centre's desk: take in, accept or refuse, reply to the citizen, follow up and close (DESIGN §4).
CENTRE_DESK_ROLES = frozenset({R.OPERATOR, R.DISPATCHER, R.LEADER, R.ADMIN})
#: Send work to units and decide on what units ask (return, extend, shelve), redo and reopen.
DISPATCH_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.ADMIN})
#: Work on their own unit's assignments: sign, contact the citizen, feed back, ask.
UNIT_WORK_ROLES = frozenset({R.HANDLER, R.UNIT_HEAD, R.GRID_WORKER})
#: The centre's work bench (the desk and the analyst who watches it).
CENTRE_BENCH_ROLES = CENTRE_DESK_ROLES | {R.ANALYST}
#: Take in appeals through a service (console desk, integrations, grid workers reporting from the field).
INTAKE_ROLES = CENTRE_DESK_ROLES | {R.INTEGRATION, R.GRID_WORKER}
#: Issue, urge and close supervision orders (督办).
SUPERVISION_ISSUER_ROLES = DISPATCH_ROLES
#: Open the supervision desk (issuers, and the unit heads who answer for their units).
SUPERVISION_DESK_ROLES = DISPATCH_ROLES | {R.UNIT_HEAD}
#: The analysis pages.
ANALYSIS_ROLES = frozenset({R.LEADER, R.ANALYST, R.ADMIN})
#: Reporting roles that get every unit's figures — where their holder sees every appeal.
REPORT_CENTRE_ROLES = frozenset({R.ANALYST, R.LEADER, R.ADMIN, R.DISPATCHER})
#: Reporting roles that get their own unit's (subtree's) figures.
REPORT_UNIT_ROLES = frozenset({R.UNIT_HEAD, R.HANDLER, R.GRID_WORKER, R.DISPATCHER})
#: The centre's hotspot desk (every hotspot — where their holder sees every appeal).
HOTSPOT_DESK_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.ADMIN, R.ANALYST})
#: Territorial staff who act on their area's hotspots.
HOTSPOT_UNIT_ROLES = frozenset({R.UNIT_HEAD, R.HANDLER, R.GRID_WORKER})
#: Edit the working calendar (holidays, adjusted working days).
CALENDAR_EDITOR_ROLES = frozenset({R.ADMIN, R.LEADER})
#: Edit and publish knowledge articles.
KNOWLEDGE_EDITOR_ROLES = frozenset({R.ADMIN, R.LEADER, R.DISPATCHER})

#: Django permission for full personal data (names, phones, ID numbers, addresses of people).
PERSONAL_DATA_PERMISSION = "orgs.view_personal_data"


# --- who someone is ---------------------------------------------------------------------------------------------


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def holds(user: User, roles: Iterable[str]) -> bool:
    """``user`` is an active superuser or holds one of ``roles``."""
    if not is_active_staff(user):
        return False
    return bool(user.is_superuser or user.role_codes.intersection(roles))


def sees_everything(user: User) -> bool:
    """The centre's view: every appeal and every unit, wherever it lies."""
    if not is_active_staff(user):
        return False
    if user.is_superuser or user.has_role(*WHOLE_DISTRICT_ROLES):
        return True
    return user.unit is not None and user.unit.kind == UnitKind.CENTRE


def holds_centre_wide(user: User, roles: Iterable[str]) -> bool:
    """One of ``roles``, held where its holder sees everything (a dispatcher of the centre, not of a town)."""
    if not is_active_staff(user):
        return False
    return bool(user.is_superuser or (user.role_codes.intersection(roles) and sees_everything(user)))


def is_territorial_staff(user: User) -> bool:
    return user.unit is not None and user.unit.kind in TERRITORIAL_KINDS


# --- the unit subtree -------------------------------------------------------------------------------------------


def subtree_path(user: User) -> str | None:
    """The materialised path of ``user``'s unit (its subtree is every path starting with it), or None."""
    if not is_active_staff(user) or user.unit is None:
        return None
    return user.unit.path


def in_subtree(path: str, *, unit: Unit | None) -> bool:
    """``path`` (a unit's materialised path) lies in ``unit``'s subtree."""
    return unit is not None and path.startswith(unit.path)


def subtree_q(user: User, field: str = "unit__path") -> Q:
    """Rows whose ``field`` (a materialised unit path) lies in ``user``'s unit subtree; no unit → no rows."""
    path = subtree_path(user)
    if path is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": path})


def subtree_unit_ids(user: User) -> frozenset[int]:
    """The ids of ``user``'s unit and every unit below it (empty without a unit)."""
    path = subtree_path(user)
    if path is None:
        return frozenset()
    return frozenset(Unit.objects.filter(path__startswith=path).values_list("id", flat=True))


# --- what someone may do ----------------------------------------------------------------------------------------


def may_intake(user: User) -> bool:
    """The console's intake desk."""
    return holds(user, CENTRE_DESK_ROLES)


def may_dispatch(user: User) -> bool:
    return holds(user, DISPATCH_ROLES)


def may_issue_supervision(user: User) -> bool:
    return holds(user, SUPERVISION_ISSUER_ROLES)


def may_open_supervision_desk(user: User) -> bool:
    return holds(user, SUPERVISION_DESK_ROLES)


def may_analyse(user: User) -> bool:
    return holds(user, ANALYSIS_ROLES)


def is_centre_user(user: User) -> bool:
    """Works at the centre's bench (intake, dispatch, analysis)."""
    return holds(user, CENTRE_BENCH_ROLES)


def is_unit_user(user: User) -> bool:
    return is_active_staff(user) and user.has_role(*UNIT_WORK_ROLES)


def may_edit_knowledge(user: User) -> bool:
    return holds(user, KNOWLEDGE_EDITOR_ROLES) or (is_active_staff(user) and user.has_perm("knowledge.change_article"))


def sees_all_hotspots(user: User) -> bool:
    """The centre's desk sees every live hotspot; a territorial unit's staff only those of its area."""
    return holds_centre_wide(user, HOTSPOT_DESK_ROLES)


def may_view_hotspots(user: User) -> bool:
    if sees_all_hotspots(user):
        return True
    return is_territorial_staff(user) and user.has_role(R.UNIT_HEAD, R.DISPATCHER)


def may_act_on_area_hotspot(user: User, *, area_path: str) -> bool:
    """Acknowledge or close a hotspot of ``area_path``: the centre's desk, or territorial staff of that area."""
    if sees_all_hotspots(user):
        return True
    return (
        is_active_staff(user)
        and in_subtree(area_path, unit=user.unit)
        and user.has_role(*HOTSPOT_UNIT_ROLES, *HOTSPOT_DESK_ROLES)
    )


def sees_every_units_figures(user: User) -> bool:
    """Every unit's report figures: a reporting role held where its holder sees every appeal."""
    return holds_centre_wide(user, REPORT_CENTRE_ROLES)


def report_unit_ids(user: User) -> frozenset[int] | None:
    """None: every unit's figures. Otherwise the ids of the units whose figures ``user`` may see (empty: none)."""
    if sees_every_units_figures(user):
        return None
    if not (is_active_staff(user) and user.unit_id and user.has_role(*REPORT_UNIT_ROLES)):
        return frozenset()
    return subtree_unit_ids(user)


def may_administer(user: User) -> bool:
    return bool(is_active_staff(user) and user.is_staff and (user.is_superuser or user.has_role(R.ADMIN)))


def may_edit_calendar(user: User) -> bool:
    return holds(user, CALENDAR_EDITOR_ROLES) or (is_active_staff(user) and user.has_perm("sla.change_workingday"))


def may_view_personal_data(user: User) -> bool:
    return bool(is_active_staff(user) and user.has_perm(PERSONAL_DATA_PERMISSION))


#: Roles that must sign in with a second factor (TOTP) where the centre requires it (``SHANZHI_TWO_FACTOR_REQUIRED``):
#: administrators; and whoever holds the personal-data permission, whatever their role (see
#: :func:`must_use_two_factor`).
TWO_FACTOR_ROLES = frozenset({R.ADMIN})


def must_use_two_factor(user: User) -> bool:
    """Administrators (superusers, the admin role, staff of the admin site) and everyone who may see personal data
    in full need a second factor — the policy; whether it is enforced is the setting's (``shanzhi.orgs.two_factor``)."""
    if not is_active_staff(user):
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.role_codes.intersection(TWO_FACTOR_ROLES)
        or may_view_personal_data(user)
    )


def may_handle_citizen_requests(user: User) -> bool:
    """A citizen's request to copy or delete their data: the centre's staff who may see personal data in full."""
    return may_view_personal_data(user) and sees_everything(user)
