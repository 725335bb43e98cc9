"""Who may see and work the co-governance lists, built on :mod:`shanzhi.orgs.permissions`.

- The centre (whoever sees everything) sees every community's lists.
- Territorial staff see the communities of their unit's subtree: a town its communities, a community its own;
  a grid worker the community the grid belongs to.
- Everyone else (a department's staff, a user without a unit or role) sees nothing.

Working the lists (matching, projects, volunteers) takes one of :data:`WORK_ROLES`; the analyst only reads.
"""

from __future__ import annotations

from django.db.models import Q

from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, Unit, UnitKind, User

R = Role

#: Match demands, run projects, keep the registers.
WORK_ROLES = frozenset({R.HANDLER, R.UNIT_HEAD, R.GRID_WORKER, R.DISPATCHER, R.LEADER, R.ADMIN})
#: Open the co-governance pages (read).
READ_ROLES = WORK_ROLES | {R.ANALYST, R.OPERATOR}
#: Keep the standardisation checklist and review centres.
CHECKLIST_ROLES = frozenset({R.LEADER, R.ADMIN})


def scope_path(user: User) -> str | None:
    """The path prefix of the communities ``user`` sees; "" for every community; None for none."""
    if not permissions.holds(user, READ_ROLES):
        return None
    if permissions.sees_everything(user):
        return ""
    unit = user.unit
    if unit is None or not permissions.is_territorial_staff(user):
        return None
    if unit.kind == UnitKind.GRID and unit.parent_id:
        parent = Unit.objects.filter(pk=unit.parent_id).only("path").first()
        return parent.path if parent else None
    return unit.path


def community_q(user: User, field: str = "community") -> Q:
    """Rows whose ``field`` (a community) lies in ``user``'s scope."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == "":
        return Q()
    return Q(**{f"{field}__path__startswith": path})


def may_read(user: User) -> bool:
    return scope_path(user) is not None


def may_work(user: User) -> bool:
    return may_read(user) and permissions.holds(user, WORK_ROLES)


def may_work_in(user: User, community: Unit) -> bool:
    path = scope_path(user)
    return path is not None and permissions.holds(user, WORK_ROLES) and community.path.startswith(path)


def may_keep_checklist(user: User) -> bool:
    return permissions.holds(user, CHECKLIST_ROLES)


def may_view_personal_data(user: User) -> bool:
    return permissions.may_view_personal_data(user)
