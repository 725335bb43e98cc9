"""Reads of supervision: what is overdue and what is still unanswered (the operator's gauges)."""

from __future__ import annotations

from shanzhi.appeals.models import Assignment, AssignmentState
from shanzhi.core import clock
from shanzhi.supervision.models import SupervisionOrder, SupervisionState

RUNNING = (AssignmentState.PENDING, AssignmentState.SIGNED)


def overdue_assignments() -> int:
    """Assignments whose clock runs and whose deadline has passed (index ``assignment_due_idx``)."""
    return Assignment.objects.filter(state__in=RUNNING, due_at__lt=clock.now()).count()


def supervision_orders_open() -> int:
    return SupervisionOrder.objects.filter(state=SupervisionState.OPEN).count()
