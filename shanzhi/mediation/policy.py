"""Who may do what in mediation, built on :mod:`shanzhi.orgs.permissions` (the one policy module)."""

from __future__ import annotations

from django.db.models import Q

from shanzhi.mediation.models import Mediator
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, User

R = Role

#: The mediation desk: register cases, assign, book sessions, resolve, follow up.
DESK_ROLES = frozenset({R.MEDIATOR, R.DISPATCHER, R.LEADER, R.ADMIN})
#: Assign a case to a committee and mediator (分).
ASSIGN_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.ADMIN, R.MEDIATOR})
#: File screening reports (排查) for their own area.
SCREENING_ROLES = frozenset({R.GRID_WORKER, R.UNIT_HEAD, R.HANDLER, R.MEDIATOR, R.DISPATCHER, R.LEADER, R.ADMIN})
#: The supervisor's review that closes a case (评).
REVIEW_ROLES = frozenset({R.LEADER, R.ADMIN, R.DISPATCHER, R.UNIT_HEAD})


def may_open(user: User) -> bool:
    """The mediation pages: the desk, the reviewers, and the territorial staff who screen (a department's handler
    has no area to screen)."""
    if permissions.holds(user, DESK_ROLES | REVIEW_ROLES):
        return True
    return permissions.holds(user, SCREENING_ROLES) and (
        permissions.is_territorial_staff(user) or permissions.sees_everything(user)
    )


def may_work_cases(user: User) -> bool:
    return permissions.holds(user, DESK_ROLES)


def may_assign(user: User) -> bool:
    return permissions.holds(user, ASSIGN_ROLES)


def may_review(user: User) -> bool:
    return permissions.holds(user, REVIEW_ROLES)


def may_file_screening(user: User, *, unit_path: str) -> bool:
    """A screening report for a unit of ``user``'s subtree (the centre for any)."""
    if not permissions.holds(user, SCREENING_ROLES):
        return False
    return permissions.sees_everything(user) or permissions.in_subtree(unit_path, unit=user.unit)


def case_scope_q(user: User) -> Q | None:
    """None: every case. Otherwise the cases of the user's area, of committees seated in it, their own, and for a
    mediator their committee's cases and the unassigned ones of the committee's service area."""
    if not permissions.is_active_staff(user):
        return Q(pk__in=[])
    if permissions.sees_everything(user):
        return None
    if not may_open(user):
        return Q(pk__in=[])
    q = Q(mediator__user=user)
    membership = Mediator.objects.filter(user=user).select_related("committee__unit", "committee__area").first()
    if membership is not None:
        committee = membership.committee
        area = committee.area or committee.unit
        q |= Q(committee=committee) | Q(committee__isnull=True, unit__path__startswith=area.path)
    path = permissions.subtree_path(user)
    if path is not None:
        q |= Q(unit__path__startswith=path) | Q(committee__unit__path__startswith=path)
    return q


def screening_scope_q(user: User) -> Q | None:
    if not permissions.is_active_staff(user) or not may_open(user):
        return Q(pk__in=[])
    if permissions.sees_everything(user):
        return None
    return permissions.subtree_q(user, "unit__path")


#: Edit the mediators' schedules (值班表) and how they serve.
SCHEDULE_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.ADMIN})


def may_edit_schedule(user: User) -> bool:
    return permissions.holds(user, SCHEDULE_ROLES)
