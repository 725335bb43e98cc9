"""Reads behind the work bench: the centre's queues of appeals and the unit's counters.

Everything starts from :func:`shanzhi.appeals.selectors.appeals_visible_to` (the data scope). Lists page by keyset on
``(created_at, id)`` — oldest first, as a queue is worked — and never use OFFSET.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealState,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentState,
    RequestState,
)
from shanzhi.appeals.rules import role_may
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.console.routing_suggestions import suggestions_of as suggestions_of
from shanzhi.console.routing_suggestions import top_suggestion as top_suggestion
from shanzhi.core import clock, keyset, pii
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, User
from shanzhi.proactive import selectors as proactive
from shanzhi.proactive.models import DuplicateProposal
from shanzhi.routing.catalogue import catalogue
from shanzhi.routing.suggestions import RoutingSuggestion
from shanzhi.sla.services import follow_up_due_at, reply_due_at

CENTRE_VIEW = permissions.CENTRE_BENCH_ROLES
DISPATCH = permissions.DISPATCH_ROLES
RUNNING_STATES = (AppealState.DISPATCHED, AppealState.IN_PROGRESS)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str | Promise
    roles: frozenset[str]


CENTRE_BUCKETS: tuple[Bucket, ...] = (
    Bucket("todo", _("待办"), CENTRE_VIEW),
    Bucket("received", _("待受理"), CENTRE_VIEW),
    Bucket("to_dispatch", _("待派单"), CENTRE_VIEW),
    Bucket("feedback", _("待审核"), CENTRE_VIEW),
    Bucket("replied", _("待回访"), CENTRE_VIEW),
    Bucket("requests", _("待审批"), DISPATCH | {Role.ANALYST}),
    Bucket("due_today", _("今日到期"), CENTRE_VIEW),
    Bucket("overdue", _("已超期"), CENTRE_VIEW),
)
UNIT_BUCKETS: tuple[Bucket, ...] = (
    Bucket("todo", _("待办"), frozenset()),
    Bucket("pending_sign", _("待签收"), frozenset()),
    Bucket("due_today", _("今日到期"), frozenset()),
    Bucket("overdue", _("已超期"), frozenset()),
)


def end_of_local_day(now: dt.datetime) -> dt.datetime:
    """Midnight at the end of today in the centre's time zone (as an aware datetime)."""
    local = now.astimezone(clock.centre_tz())
    return (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def centre_buckets_for(user: User) -> list[Bucket]:
    if user.is_superuser:
        return list(CENTRE_BUCKETS)
    return [b for b in CENTRE_BUCKETS if b.roles.intersection(user.role_codes)]


def _waiting_states(user: User) -> list[str]:
    """States in which the appeal waits for this user's desk."""
    states: list[str] = [AppealState.RECEIVED, AppealState.FEEDBACK, AppealState.REPLIED]
    if permissions.may_dispatch(user):
        states.append(AppealState.ACCEPTED)
    return states


def _has_pending_request() -> Exists:
    return Exists(AssignmentRequest.objects.filter(assignment__appeal=OuterRef("pk"), state=RequestState.PENDING))


def centre_bucket(*, user: User, bucket: str, now: dt.datetime, end_of_day: dt.datetime) -> QuerySet[Appeal]:
    """The appeals of one work-bench bucket within ``user``'s scope."""
    qs = appeals_visible_to(user)
    if bucket == "received":
        return qs.filter(state=AppealState.RECEIVED)
    if bucket == "to_dispatch":
        return qs.filter(state=AppealState.ACCEPTED)
    if bucket == "feedback":
        return qs.filter(state=AppealState.FEEDBACK)
    if bucket == "replied":
        return qs.filter(state=AppealState.REPLIED)
    if bucket == "requests":
        return qs.filter(_has_pending_request())
    if bucket == "due_today":
        return qs.filter(state__in=RUNNING_STATES, due_at__gte=now, due_at__lt=end_of_day)
    if bucket == "overdue":
        return qs.filter(state__in=RUNNING_STATES, due_at__lt=now)
    # todo: everything waiting for this desk
    condition = Q(state__in=_waiting_states(user))
    if permissions.may_dispatch(user):
        condition |= Q(_has_pending_request())
    return qs.filter(condition)


@dataclass(frozen=True)
class AppealPage:
    rows: list[Appeal]
    next_cursor: str | None


def keyset_page(qs: QuerySet[Appeal], *, cursor: str | None, limit: int = 50) -> AppealPage:
    """Oldest first on ``(created_at, id)`` (see :mod:`shanzhi.core.keyset`); a stale cursor gives the first page."""
    qs = qs.select_related("category", "lead_unit", "area")
    try:
        rows, next_cursor = keyset.keyset_page(qs, field="created_at", cursor=cursor, limit=limit)
    except keyset.InvalidCursor:
        rows, next_cursor = keyset.keyset_page(qs, field="created_at", cursor=None, limit=limit)
    return AppealPage(rows, next_cursor)


@dataclass(frozen=True)
class CentreDeadline:
    """The centre's own next deadline on an appeal: the unified reply or the follow-up."""

    step: str  # "reply" | "follow_up"
    label: str | Promise
    due_at: dt.datetime


def centre_deadlines(rows: list[Appeal]) -> dict[int, CentreDeadline]:
    """For the rows waiting on the centre: the unified reply is due within the policy's reply limit of the lead
    unit's feedback, the follow-up within its follow-up limit of the reply (DESIGN §5). One query, for the feedback
    times of the page's rows under review."""
    reviewing = [a.pk for a in rows if a.state == AppealState.FEEDBACK]
    fed_back: dict[int, dt.datetime] = {}
    if reviewing:
        fed_back = dict(
            AppealEvent.objects.filter(appeal_id__in=reviewing, to_state=AppealState.FEEDBACK)
            .values("appeal_id")
            .annotate(at=Max("created_at"))
            .values_list("appeal_id", "at")
        )
    categories = catalogue().categories  # with their parents, for the policy lookup without a query per row
    deadlines: dict[int, CentreDeadline] = {}
    for appeal in rows:
        category = categories.get(appeal.category_id) if appeal.category_id else None
        if appeal.state == AppealState.FEEDBACK and appeal.pk in fed_back:
            due = reply_due_at(category=category, urgency=appeal.urgency, start=fed_back[appeal.pk])
            deadlines[appeal.pk] = CentreDeadline("reply", _("答复"), due)
        elif appeal.state == AppealState.REPLIED and appeal.replied_at is not None:
            due = follow_up_due_at(category=category, urgency=appeal.urgency, start=appeal.replied_at)
            deadlines[appeal.pk] = CentreDeadline("follow_up", _("回访"), due)
    return deadlines


def centre_counters(*, user: User, now: dt.datetime, end_of_day: dt.datetime) -> dict[str, int]:
    return {
        b.key: centre_bucket(user=user, bucket=b.key, now=now, end_of_day=end_of_day).count()
        for b in centre_buckets_for(user)
    }


def unit_counters(*, user: User, now: dt.datetime, end_of_day: dt.datetime) -> dict[str, int]:
    """The same buckets as :func:`shanzhi.appeals.selectors.unit_queue`, counted."""
    if user.unit_id is None:
        return {b.key: 0 for b in UNIT_BUCKETS}
    active = Assignment.objects.filter(
        unit_id=user.unit_id, state__in=[AssignmentState.PENDING, AssignmentState.SIGNED]
    )
    return {
        "todo": active.count(),
        "pending_sign": active.filter(state=AssignmentState.PENDING).count(),
        "due_today": active.filter(due_at__gte=now, due_at__lt=end_of_day).count(),
        "overdue": active.filter(due_at__lt=now).count(),
    }


@dataclass(frozen=True)
class AssistingProgress:
    """For a lead's row: how many of the round's assisting units have fed back (协办反馈), of how many."""

    fed_back: int
    total: int

    @property
    def all_in(self) -> bool:
        return self.fed_back == self.total


def assisting_progress(rows: list[Assignment]) -> dict[int, AssistingProgress]:
    """The assisting units' feedback on the lead rows of a work-bench page (one query), by the lead row's id: the
    lead is told when an assisting unit has fed back. Shares that ended with their round do not count."""
    leads = {(a.appeal_id, a.round): a.pk for a in rows if a.role == AssignmentRole.LEAD}
    if not leads:
        return {}
    counts: dict[int, list[int]] = {}
    assisting = Assignment.objects.filter(
        appeal_id__in={appeal_id for appeal_id, _round in leads}, role=AssignmentRole.ASSISTING
    ).exclude(state__in=[AssignmentState.CANCELLED, AssignmentState.RETURNED, AssignmentState.ENDED])
    for appeal_id, round_no, state in assisting.values_list("appeal_id", "round", "state"):
        lead_pk = leads.get((appeal_id, round_no))
        if lead_pk is not None:
            tally = counts.setdefault(lead_pk, [0, 0])
            tally[1] += 1
            tally[0] += state == AssignmentState.DONE
    return {pk: AssistingProgress(done, total) for pk, (done, total) in counts.items()}


def appeals_by_phone(*, user: User, phone: str, limit: int = 50) -> list[Appeal]:
    """Appeals from one phone number within ``user``'s scope, newest first. Empty for an invalid number."""
    normalized = pii.normalize_phone(phone or "")
    if not normalized or not pii.phone_is_valid(normalized):
        return []
    return list(
        appeals_visible_to(user)
        .filter(citizen_phone=normalized)
        .select_related("category", "lead_unit")
        .order_by("-created_at", "-id")[:limit]
    )


def supervision_list(*, user: User, now: dt.datetime, limit: int = 200) -> list[Appeal]:
    """Running appeals with a yellow or red card or past their deadline, most overdue first."""
    return list(
        appeals_visible_to(user)
        .filter(state__in=RUNNING_STATES)
        .filter(Q(warning__in=["yellow", "red"]) | Q(due_at__lt=now))
        .select_related("category", "lead_unit")
        .order_by("due_at", "id")[:limit]
    )


# --- routing suggestions (the 待派单 list and the dispatch form) ------------------------------------------------


# The suggestions are read through the routing contract (shanzhi.routing.suggestions), with the units that returned
# the appeal taken out: see shanzhi.console.routing_suggestions.
Suggestion = RoutingSuggestion


# --- duplicate proposals in scope -----------------------------------------------------------------------------


def visible_proposals(user: User) -> QuerySet[DuplicateProposal]:
    """Pending proposals whose appeal and master the user may both see."""
    visible = appeals_visible_to(user).values("pk")
    return proactive.proposals_pending().filter(appeal__in=visible, master__in=visible)


def visible_proposals_for(user: User, appeal: Appeal) -> list[DuplicateProposal]:
    if not (user.is_superuser or role_may("merge", user.role_codes)):
        return []
    return list(proactive.proposals_for_appeal(appeal).filter(master__in=appeals_visible_to(user).values("pk")))
