"""Daily facts: the KPI counters rebuilt from appeals, assignments, events and follow-ups for a range of days.

The measures (which rows count for which counter, on which day) are defined once here, as querysets, and used both
to build the facts and to list the appeals behind a figure (drill-down). docs/kpi.md explains them in words.

Rebuilding a day deletes that day's facts and recomputes them from the source tables, so it is idempotent. The
incremental refresh rebuilds today, yesterday, and every day that an event since the last refresh may have changed
(reading the event log again over a lag window, since ids commit out of order: :func:`refresh_recent`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate

from shanzhi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealState,
    Assignment,
    AssignmentRole,
    AssignmentState,
    EventKind,
    FollowUp,
    Rating,
)
from shanzhi.core import clock
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.reports import rules
from shanzhi.reports.models import DailyAppealFact, DailyUnitFact, FactWatermark
from shanzhi.routing.models import Category

logger = logging.getLogger(__name__)

BATCH = 5000
DEFAULT_LAG_SECONDS = 900  # a transaction that commits within 15 minutes of reserving its event id is never skipped
TOUCHED_LIMIT = 20000  # more appeals touched than this in one refresh: rebuild the days of the events instead

# --- the measures ------------------------------------------------------------------------------------------

SIGN_ON_TIME = Q(signed_at__isnull=False, signed_at__lte=F("sign_due_at"))
CONTACT_ON_TIME = Q(contacted_at__isnull=False, contacted_at__lte=F("contact_due_at"))
CLOSE_ON_TIME = Q(state=AssignmentState.DONE, done_at__lte=F("due_at"))
EXTENDED = Q(Exists(AppealEvent.objects.filter(assignment=OuterRef("pk"), kind=EventKind.EXTENDED)))
REDONE = Q(role=AssignmentRole.LEAD) & Q(
    Exists(Assignment.objects.filter(appeal=OuterRef("appeal"), round__gt=OuterRef("round")))
)


def overdue_open(now: dt.datetime) -> Q:
    return Q(state__in=[AssignmentState.PENDING, AssignmentState.SIGNED], due_at__lt=now)


def live_assignments() -> QuerySet[Assignment]:
    """Assignments that count: withdrawn ones (merged duplicates, rounds withdrawn by a lead's return) never do."""
    return Assignment.objects.exclude(state=AssignmentState.CANCELLED)


def assigned_rows(lo: dt.datetime, hi: dt.datetime) -> QuerySet[Assignment]:
    return live_assignments().filter(dispatched_at__gte=lo, dispatched_at__lt=hi)


def sign_rows(lo: dt.datetime, hi: dt.datetime, now: dt.datetime) -> QuerySet[Assignment]:
    """Due for signing in the range: the deadline has passed, or the unit signed already."""
    return (
        live_assignments()
        .filter(sign_due_at__gte=lo, sign_due_at__lt=hi)
        .filter(Q(sign_due_at__lte=now) | Q(signed_at__isnull=False))
        .exclude(state=AssignmentState.RETURNED, signed_at__isnull=True)
    )


def contact_rows(lo: dt.datetime, hi: dt.datetime, now: dt.datetime) -> QuerySet[Assignment]:
    """Lead assignments due for first contact in the range (deadline passed, or contact made)."""
    return (
        live_assignments()
        .filter(role=AssignmentRole.LEAD, contact_due_at__gte=lo, contact_due_at__lt=hi)
        .filter(Q(contact_due_at__lte=now) | Q(contacted_at__isnull=False))
        .exclude(state=AssignmentState.RETURNED, contacted_at__isnull=True)
    )


def close_rows(lo: dt.datetime, hi: dt.datetime, now: dt.datetime) -> QuerySet[Assignment]:
    """Due for completion in the range: done already, or the deadline has passed (open overdue work counts
    against the rate). Returned and shelved (clock stopped) assignments are not due."""
    return (
        live_assignments()
        .exclude(state__in=[AssignmentState.RETURNED, AssignmentState.SHELVED])
        .filter(due_at__gte=lo, due_at__lt=hi)
        .filter(Q(due_at__lte=now) | Q(state=AssignmentState.DONE))
    )


def done_rows(lo: dt.datetime, hi: dt.datetime) -> QuerySet[Assignment]:
    return Assignment.objects.filter(state=AssignmentState.DONE, done_at__gte=lo, done_at__lt=hi)


def follow_up_rows(lo: dt.datetime, hi: dt.datetime) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(reached=True, at__gte=lo, at__lt=hi)


def appeal_rows(lo: dt.datetime, hi: dt.datetime) -> QuerySet[Appeal]:
    return Appeal.objects.filter(created_at__gte=lo, created_at__lt=hi)


def round_lead_unit() -> Subquery:
    """The lead unit of the round a follow-up is about (the lead that fed back)."""
    return Subquery(
        Assignment.objects.filter(
            appeal=OuterRef("appeal"), round=OuterRef("round"), role=AssignmentRole.LEAD, state=AssignmentState.DONE
        )
        .order_by("-id")
        .values("unit_id")[:1]
    )


# --- dimensions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimensions:
    town_of_unit: dict[int, int | None]
    l1_of_category: dict[int, int]

    def town(self, unit_id: int | None) -> int | None:
        return None if unit_id is None else self.town_of_unit.get(unit_id)

    def l1(self, category_id: int | None) -> int | None:
        return None if category_id is None else self.l1_of_category.get(category_id, category_id)


def load_dimensions() -> Dimensions:
    town_by_code = dict(Unit.objects.filter(kind=UnitKind.TOWN).values_list("code", "id"))
    town_of_unit: dict[int, int | None] = {}
    for unit_id, path in Unit.objects.values_list("id", "path"):
        town_of_unit[unit_id] = next((town_by_code[c] for c in path.split("/") if c in town_by_code), None)
    parents = dict(Category.objects.values_list("id", "parent_id"))
    l1: dict[int, int] = {}
    for cat_id in parents:
        node, seen = cat_id, 0
        while parents.get(node) is not None and seen < 10:
            node, seen = parents[node], seen + 1  # type: ignore[assignment]
        l1[cat_id] = node
    return Dimensions(town_of_unit, l1)


def category_subtree(category_id: int) -> list[int]:
    """The ids of a category and all its descendants (for drill-down on a level-1 category)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for cat_id, parent_id in Category.objects.values_list("id", "parent_id"):
        children[parent_id].append(cat_id)
    result, stack = [], [category_id]
    while stack:
        node = stack.pop()
        result.append(node)
        stack.extend(children.get(node, []))
    return result


# --- rebuilding ---------------------------------------------------------------------------------------------

_ASSIGNMENT_DIMS = ("unit_id", "appeal__area_id", "appeal__category_id", "appeal__channel")
_HANDLING = ExpressionWrapper(F("done_at") - F("dispatched_at"), output_field=DurationField())


def _seconds(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    return int(value) // 1_000_000  # type: ignore[call-overload]  # microseconds on backends without intervals


def _grouped(qs: QuerySet, day_field: str, dims: tuple[str, ...], **aggregates: object) -> Iterable[dict]:
    day = TruncDate(day_field, tzinfo=clock.centre_tz())
    return qs.annotate(day=day).values("day", *dims).annotate(**aggregates).order_by().iterator(chunk_size=BATCH)


def _unit_counters(lo: dt.datetime, hi: dt.datetime, now: dt.datetime, d: Dimensions) -> dict[tuple, dict[str, int]]:
    facts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def fold(row: dict, counters: dict[str, object], unit_key: str = "unit_id") -> None:
        unit_id = row[unit_key]
        if unit_id is None:
            return
        key = (row["day"], unit_id, d.town(row["appeal__area_id"]), d.l1(row["appeal__category_id"]),
               row["appeal__channel"])  # fmt: skip
        target = facts[key]
        for name, value in counters.items():
            target[name] += _seconds(value) if name == "handling_seconds" else int(value or 0)  # type: ignore[call-overload]

    measures: list[tuple[QuerySet, str, dict[str, object]]] = [
        (
            assigned_rows(lo, hi),
            "dispatched_at",
            {
                "assigned": Count("id"),
                "returned": Count("id", filter=Q(state=AssignmentState.RETURNED)),
                "extended": Count("id", filter=EXTENDED),
            },
        ),
        (
            sign_rows(lo, hi, now),
            "sign_due_at",
            {"sign_due": Count("id"), "sign_on_time": Count("id", filter=SIGN_ON_TIME)},
        ),
        (
            contact_rows(lo, hi, now),
            "contact_due_at",
            {"contact_due": Count("id"), "contact_on_time": Count("id", filter=CONTACT_ON_TIME)},
        ),
        (
            close_rows(lo, hi, now),
            "due_at",
            {
                "close_due": Count("id"),
                "close_on_time": Count("id", filter=CLOSE_ON_TIME),
                "close_overdue_open": Count("id", filter=overdue_open(now)),
            },
        ),
        (
            done_rows(lo, hi),
            "done_at",
            {
                "done": Count("id"),
                "done_lead": Count("id", filter=Q(role=AssignmentRole.LEAD)),
                "handling_seconds": Sum(_HANDLING),
                "redone": Count("id", filter=REDONE),
            },
        ),
    ]
    for qs, day_field, aggregates in measures:
        for row in _grouped(qs, day_field, _ASSIGNMENT_DIMS, **aggregates):
            fold(row, {name: row[name] for name in aggregates})

    follow_ups = follow_up_rows(lo, hi).annotate(lead_unit=round_lead_unit())
    rating_counts = {
        "followed_up": Count("id"),
        "satisfied": Count("id", filter=Q(rating=Rating.SATISFIED)),
        "fairly_satisfied": Count("id", filter=Q(rating=Rating.FAIRLY_SATISFIED)),
        "dissatisfied": Count("id", filter=Q(rating=Rating.DISSATISFIED)),
        "resolved_known": Count("id", filter=Q(resolved__isnull=False)),
        "resolved": Count("id", filter=Q(resolved=True)),
    }
    dims = ("lead_unit", "appeal__area_id", "appeal__category_id", "appeal__channel")
    for row in _grouped(follow_ups, "at", dims, **rating_counts):
        fold(row, {name: row[name] for name in rating_counts}, unit_key="lead_unit")
    return facts


def _appeal_counters(lo: dt.datetime, hi: dt.datetime, d: Dimensions) -> dict[tuple, dict[str, int]]:
    facts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    aggregates = {
        "received": Count("id", filter=~Q(state=AppealState.MERGED)),
        "merged": Count("id", filter=Q(state=AppealState.MERGED)),
        "answered": Count("id", filter=Q(state=AppealState.ANSWERED)),
        "rejected": Count("id", filter=Q(state=AppealState.REJECTED)),
        "closed": Count("id", filter=Q(state=AppealState.CLOSED)),
    }
    dims = ("channel", "appeal_type", "category_id", "area_id", "lead_unit_id")
    for row in _grouped(appeal_rows(lo, hi), "created_at", dims, **aggregates):
        key = (row["day"], row["channel"], row["appeal_type"], d.l1(row["category_id"]), d.town(row["area_id"]),
               row["lead_unit_id"])  # fmt: skip
        for name in aggregates:
            facts[key][name] += int(row[name] or 0)
    return facts


def rebuild_days(*, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute the facts of the local days ``start``..``end`` (inclusive). Returns the rows written."""
    now = now or clock.now()
    period = rules.Period(start, end)
    lo, hi = rules.local_bounds(period, clock.centre_tz())
    dims = load_dimensions()
    unit_facts = _unit_counters(lo, hi, now, dims)
    appeal_facts = _appeal_counters(lo, hi, dims)
    with transaction.atomic():
        FactWatermark.objects.select_for_update().get_or_create(name="facts")  # one rebuild at a time
        DailyUnitFact.objects.filter(date__gte=start, date__lte=end).delete()
        DailyAppealFact.objects.filter(date__gte=start, date__lte=end).delete()
        DailyUnitFact.objects.bulk_create(
            (
                DailyUnitFact(date=day, unit=unit, town=town, category_l1=cat, channel=channel, **counters)
                for (day, unit, town, cat, channel), counters in unit_facts.items()
            ),
            batch_size=BATCH,
        )
        DailyAppealFact.objects.bulk_create(
            (
                DailyAppealFact(
                    date=day, channel=channel, appeal_type=kind, category_l1=cat, town=town, lead_unit=lead, **counters
                )
                for (day, channel, kind, cat, town, lead), counters in appeal_facts.items()
            ),
            batch_size=BATCH,
        )
    return {"unit_facts": len(unit_facts), "appeal_facts": len(appeal_facts)}


def rebuild_history(*, start: dt.date, end: dt.date, chunk_days: int = 31, now: dt.datetime | None = None) -> int:
    """Rebuild a long range month-sized chunk by chunk (bounded memory). Returns the unit-fact rows written."""
    written, day = 0, start
    while day <= end:
        last = min(end, day + dt.timedelta(days=chunk_days - 1))
        written += rebuild_days(start=day, end=last, now=now)["unit_facts"]
        day = last + dt.timedelta(days=1)
    return written


# --- the incremental refresh --------------------------------------------------------------------------------


def _local_dates(values: Iterable[dt.datetime | None]) -> set[dt.date]:
    return {clock.local_date(v) for v in values if v is not None}


def touched_days(appeal_ids: list[int]) -> set[dt.date]:
    """Every day a fact of these appeals is attributed to (the days their figures may have changed)."""
    days: set[dt.date] = set()
    for i in range(0, len(appeal_ids), BATCH):
        chunk = appeal_ids[i : i + BATCH]
        days |= _local_dates(Appeal.objects.filter(pk__in=chunk).values_list("created_at", flat=True))
        for row in Assignment.objects.filter(appeal_id__in=chunk).values_list(
            "dispatched_at", "sign_due_at", "contact_due_at", "due_at", "done_at"
        ):
            days |= _local_dates(row)
        days |= _local_dates(FollowUp.objects.filter(appeal_id__in=chunk).values_list("at", flat=True))
        for payload in AppealEvent.objects.filter(appeal_id__in=chunk, kind=EventKind.EXTENDED).values_list(
            "payload", flat=True
        ):
            old = (payload or {}).get("from")
            if old:
                days |= _local_dates([dt.datetime.fromisoformat(old)])
    return days


def lag_window() -> dt.timedelta:
    """How long an event id below the highest one seen may still appear (its transaction not yet committed)."""
    seconds = float(getattr(settings, "SHANZHI", {}).get("REPORT_FACTS_LAG_SECONDS", DEFAULT_LAG_SECONDS))
    return dt.timedelta(seconds=seconds)


def refresh_recent(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Rebuild today, yesterday and the days touched by events since the last refresh; advance the watermark.

    Ids are reserved before their transaction commits, and transactions commit out of order, so "the largest id
    seen" alone would skip an event that commits after a higher one was read. The refresh therefore reads again
    from the settled id (the highest one seen at least :func:`lag_window` ago) and rebuilds the days those events
    touch too; ``appeals`` counts the appeals with events beyond the highest id seen before.
    """
    now = now or clock.now()
    mark, _ = FactWatermark.objects.get_or_create(name="facts")
    window = AppealEvent.objects.filter(pk__gt=mark.settled_event_id)
    top = window.order_by("-pk").values_list("pk", flat=True).first() or mark.event_id
    window = window.filter(pk__lte=top)
    appeal_ids = list(window.values_list("appeal_id", flat=True).distinct()[: TOUCHED_LIMIT + 1])
    new_appeals = window.filter(pk__gt=mark.event_id).values_list("appeal_id", flat=True).distinct()
    today = clock.local_date(now)
    days = {today, today - dt.timedelta(days=1)}
    if len(appeal_ids) > TOUCHED_LIMIT:
        days |= _local_dates(window.values_list("created_at", flat=True).distinct())
    else:
        days |= touched_days(appeal_ids)
    days = {d for d in days if d <= today + dt.timedelta(days=60)}
    for run in rules.date_ranges(days):
        rebuild_days(start=run.start, end=run.end, now=now)
    settled, pending, since = mark.settled_event_id, mark.pending_event_id, mark.pending_since
    if since is None or now - since >= lag_window():
        # The candidate seen at ``since`` is old enough: whatever was reserved below it has committed by now.
        settled = pending if since is not None else settled
        pending, since = top, now
    FactWatermark.objects.filter(name="facts").update(
        event_id=max(top, mark.event_id),
        refreshed_at=now,
        settled_event_id=settled,
        pending_event_id=pending,
        pending_since=since,
    )
    count = len(new_appeals[: TOUCHED_LIMIT + 1])
    logger.info("report facts refreshed: %d day(s), %d appeal(s) touched", len(days), count)
    return {"days": len(days), "appeals": count}
