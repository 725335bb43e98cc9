"""Reads of supervision: the operator's gauges, and the orders a user may see.

Scope (DESIGN §7): a unit's staff see the orders addressed to their own unit; the centre's issuers (leader,
dispatcher) see the orders of the appeals they see; anybody else sees none. Someone who is both sees both.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Appeal, Assignment, AssignmentRole, AssignmentState
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock
from shanzhi.core.errors import NotFound
from shanzhi.core.ids import as_id
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.supervision.models import SupervisionOrder, SupervisionState

RUNNING = (AssignmentState.PENDING, AssignmentState.SIGNED)
#: The list's filters: code → (label, condition).
STATE_FILTERS = ("open", "replied", "closed", "late", "all")


def overdue_assignments() -> int:
    """Assignments whose clock runs and whose deadline has passed (index ``assignment_due_idx``)."""
    return Assignment.objects.filter(state__in=RUNNING, due_at__lt=clock.now()).count()


def supervision_orders_open() -> int:
    return SupervisionOrder.objects.filter(state=SupervisionState.OPEN).count()


def answers_for_unit(user: User) -> bool:
    """``user`` replies to orders for a unit (handler, unit head, grid worker of that unit)."""
    return bool(user.unit_id) and permissions.holds(user, permissions.UNIT_WORK_ROLES)


def orders_visible_to(user: User) -> QuerySet[SupervisionOrder]:
    condition = Q(pk__in=[])
    if not permissions.is_active_staff(user):
        return SupervisionOrder.objects.none()
    if permissions.may_issue_supervision(user):
        if permissions.sees_everything(user):
            return SupervisionOrder.objects.all()
        condition |= Q(appeal__in=appeals_visible_to(user))
    if answers_for_unit(user) and user.unit_id is not None:
        condition |= Q(unit_id=user.unit_id)
    return SupervisionOrder.objects.filter(condition)


def orders_for_unit(user: User) -> QuerySet[SupervisionOrder]:
    """The orders addressed to ``user``'s own unit (none for someone who does not answer for a unit)."""
    if not answers_for_unit(user) or user.unit_id is None:
        return SupervisionOrder.objects.none()
    return SupervisionOrder.objects.filter(unit_id=user.unit_id)


def unit_open_orders_count(user: User) -> int:
    """The work bench's counter: open orders addressed to ``user``'s unit."""
    return orders_for_unit(user).filter(state=SupervisionState.OPEN).count()


def orders_filtered(qs: QuerySet[SupervisionOrder], *, state: str) -> QuerySet[SupervisionOrder]:
    now = clock.now()
    if state in (SupervisionState.OPEN, SupervisionState.REPLIED, SupervisionState.CLOSED):
        qs = qs.filter(state=state)
    elif state == "late":
        qs = qs.filter(Q(state=SupervisionState.OPEN, reply_due_at__lt=now) | Q(replied_late=True))
    return qs


def order_list(*, user: User, state: str = "open", mine: bool = False, limit: int = 200) -> list[SupervisionOrder]:
    """Orders ``user`` may see (``mine``: only those addressed to their unit), open ones by reply deadline first."""
    qs = orders_for_unit(user) if mine else orders_visible_to(user)
    qs = orders_filtered(qs, state=state).select_related("appeal", "unit", "issued_by", "assignment")
    order = ("reply_due_at", "id") if state == SupervisionState.OPEN else ("-issued_at", "-id")
    return list(qs.order_by(*order)[:limit])


def order_counts(*, user: User, mine: bool = False) -> dict[str, int]:
    qs = orders_for_unit(user) if mine else orders_visible_to(user)
    return {code: orders_filtered(qs, state=code).count() for code in STATE_FILTERS}


def order_get(*, user: User, pk: int | str) -> SupervisionOrder:
    """One order ``user`` may see; otherwise NotFound (never a hint that it exists)."""
    number = as_id(pk)
    found = (
        orders_visible_to(user).select_related("appeal", "unit", "assignment", "issued_by").filter(pk=number).first()
        if number is not None
        else None
    )
    if found is None:
        raise NotFound()
    return found


def orders_of_appeal(*, user: User, appeal: Appeal) -> list[SupervisionOrder]:
    """The orders of one appeal that ``user`` may see (the appeal page's panel), newest first."""
    return list(
        orders_visible_to(user)
        .filter(appeal=appeal)
        .select_related("unit", "issued_by", "replied_by", "assignment")
        .prefetch_related("urges")
        .order_by("-issued_at", "-id")
    )


def supervisable_assignments(*, user: User, appeal: Appeal) -> list[Assignment]:
    """The active assignments of ``appeal`` a centre issuer may supervise (lead first)."""
    if not permissions.may_issue_supervision(user) or not appeals_visible_to(user).filter(pk=appeal.pk).exists():
        return []
    rows = appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related("unit").order_by("id")
    return sorted(rows, key=lambda a: (a.role != AssignmentRole.LEAD, -a.round, a.pk))
