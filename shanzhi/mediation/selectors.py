"""Reads of mediation, always through the viewer's scope (:mod:`shanzhi.mediation.policy`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from shanzhi.core.errors import NotFound
from shanzhi.mediation import policy
from shanzhi.mediation.models import (
    OPEN_CASE_STATES,
    AppointmentState,
    Case,
    CaseEvent,
    CaseState,
    CaseSupervision,
    Committee,
    Mediator,
    ScreeningReport,
    SessionState,
    Slot,
)
from shanzhi.mediation.models_supervision import LIVE_SUPERVISION_STATES
from shanzhi.orgs.models import User


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related("unit", "committee", "mediator__user", "appeal")
    q = policy.case_scope_q(user)
    return qs if q is None else qs.filter(q)


def case_get(*, user: User, pk: int) -> Case:
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def screening_reports_visible_to(user: User) -> QuerySet[ScreeningReport]:
    qs = ScreeningReport.objects.select_related("unit", "reporter")
    q = policy.screening_scope_q(user)
    return qs if q is None else qs.filter(q)


def screening_report_get(*, user: User, pk: int) -> ScreeningReport:
    report = screening_reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise NotFound()
    return report


def case_timeline(*, case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))


def free_slots(*, committee: Committee | None = None, after: dt.datetime | None = None) -> QuerySet[Slot]:
    """Slots that neither a live session nor a live appointment holds, soonest first."""
    qs = (
        Slot.objects.select_related("room__committee")
        .exclude(sessions__state__in=[SessionState.BOOKED, SessionState.HELD])
        .exclude(appointments__state__in=[AppointmentState.BOOKED, AppointmentState.ACCEPTED])
    )
    if committee is not None:
        qs = qs.filter(room__committee=committee)
    if after is not None:
        qs = qs.filter(starts_at__gte=after)
    return qs.order_by("starts_at", "room_id")


def mediators_with_workload(*, committee: Committee | None = None) -> QuerySet[Mediator]:
    qs = Mediator.objects.select_related("user", "committee").annotate(
        open_cases=Count("cases", filter=Q(cases__state__in=OPEN_CASE_STATES))
    )
    if committee is not None:
        qs = qs.filter(committee=committee)
    return qs.order_by("committee__code", "id")


def committees() -> QuerySet[Committee]:
    return Committee.objects.filter(is_active=True).select_related("unit")


#: The counters over the case list (跟踪督办): code, label, filter.
BUCKETS: tuple[tuple[str, str, Q], ...] = (
    ("to_assign", "待分派", Q(state=CaseState.REGISTERED)),
    ("in_mediation", "调解中", Q(state__in=[CaseState.ASSIGNED, CaseState.SCHEDULED])),
    ("warned", "期限预警", Q(state__in=OPEN_CASE_STATES, warned_at__isnull=False, overdue_at__isnull=True)),
    ("overdue", "已超期", Q(state__in=OPEN_CASE_STATES, overdue_at__isnull=False)),
    ("to_follow_up", "待回访", Q(state__in=[CaseState.AGREED, CaseState.REFERRED])),
    ("to_evaluate", "待评价", Q(state=CaseState.FOLLOWED_UP)),
    (
        "supervised",
        "督办中",
        Q(Exists(CaseSupervision.objects.filter(case=OuterRef("pk"), state__in=LIVE_SUPERVISION_STATES))),
    ),
)


def case_buckets(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    """(code, label, count) of each counter over ``cases`` (already in the viewer's scope), in one query."""
    counts = cases.aggregate(**{code: Count("pk", filter=q) for code, _label, q in BUCKETS})
    return [(code, label, counts[code] or 0) for code, label, _q in BUCKETS]


def case_bucket_filter(cases: QuerySet[Case], bucket: str) -> QuerySet[Case]:
    for code, _label, q in BUCKETS:
        if code == bucket:
            return cases.filter(q)
    return cases
