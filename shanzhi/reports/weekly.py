"""The weekly supervision report (周报督办): per unit, what is overdue, due within three days, under a yellow or red
warning, returned and extended, and the supervision orders issued in the week with their replies.

Open work (overdue, due soon, warnings) is the state at ``now``; returned, extended and orders are the events of
the week. The Monday job stores a snapshot (:class:`~shanzhi.reports.models.WeeklyReport`) of the week just ended.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q

from shanzhi.appeals.models import AppealEvent, Assignment, AssignmentState, EventKind
from shanzhi.core import clock
from shanzhi.orgs.models import Unit
from shanzhi.reports import rules
from shanzhi.reports.models import WeeklyReport
from shanzhi.supervision.models import SupervisionOrder, SupervisionState

DUE_SOON = dt.timedelta(days=3)
RUNNING = (AssignmentState.PENDING, AssignmentState.SIGNED)
COLUMNS = (
    ("overdue", "超期未办结"),
    ("due_soon", "三日内到期"),
    ("red", "红牌"),
    ("yellow", "黄牌"),
    ("returned", "本周退回"),
    ("extended", "本周延期"),
    ("orders", "本周督办"),
    ("orders_replied", "已回复"),
    ("orders_open", "待回复"),
    ("orders_reply_late", "回复超时"),
)


def _scoped(qs, scope: frozenset[int] | None, field: str = "unit_id"):  # type: ignore[no-untyped-def]
    return qs if scope is None else qs.filter(**{f"{field}__in": scope})


def weekly_data(*, week: rules.Period, now: dt.datetime, scope: frozenset[int] | None = None) -> dict:
    """The report as plain data (JSON-serialisable, so that it can be stored as a snapshot)."""
    lo, hi = rules.local_bounds(week, clock.centre_tz())
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys((c for c, _ in COLUMNS), 0))
    running = _scoped(Assignment.objects.filter(state__in=RUNNING), scope)
    open_work = running.values("unit_id").annotate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        red=Count("id", filter=Q(warning="red")),
        yellow=Count("id", filter=Q(warning="yellow")),
    )
    for row in open_work.order_by():
        for name in ("overdue", "due_soon", "red", "yellow"):
            counts[row["unit_id"]][name] += row[name]
    week_events = AppealEvent.objects.filter(created_at__gte=lo, created_at__lt=hi, assignment__isnull=False)
    for kind, name in ((EventKind.RETURNED, "returned"), (EventKind.EXTENDED, "extended")):
        rows = _scoped(week_events.filter(kind=kind), scope, "assignment__unit_id")
        for row in rows.values("assignment__unit_id").annotate(n=Count("id")).order_by():
            counts[row["assignment__unit_id"]][name] += row["n"]
    orders = _scoped(SupervisionOrder.objects.filter(issued_at__gte=lo, issued_at__lt=hi), scope)
    for row in (
        orders.values("unit_id")
        .annotate(
            n=Count("id"),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            open=Count("id", filter=Q(state=SupervisionState.OPEN)),
            late=Count(
                "id", filter=Q(replied_at__isnull=True, reply_due_at__lt=now) | Q(replied_at__gt=F("reply_due_at"))
            ),
        )
        .order_by()
    ):
        c = counts[row["unit_id"]]
        c["orders"], c["orders_replied"], c["orders_open"], c["orders_reply_late"] = (
            row["n"], row["replied"], row["open"], row["late"],
        )  # fmt: skip
    names = dict(Unit.objects.filter(pk__in=list(counts)).values_list("id", "name"))
    units: list[dict[str, Any]] = [
        {"unit_id": uid, "unit": names.get(uid, str(uid)), **c} for uid, c in counts.items() if any(c.values())
    ]
    units.sort(key=lambda r: (-r["overdue"], -r["red"], -r["orders"], r["unit"]))
    totals = {code: sum(r[code] for r in units) for code, _ in COLUMNS}
    order_rows = [
        {
            "id": o.pk,
            "appeal_id": o.appeal_id,
            "tracking_no": o.appeal.tracking_no,
            "unit": o.unit.name,
            "unit_id": o.unit_id,
            "level": str(o.get_level_display()),
            "reason": o.reason,
            "issued_at": _local(o.issued_at),
            "reply_due_at": _local(o.reply_due_at),
            "reply": o.reply,
            "replied_at": _local(o.replied_at),
            "state": str(o.get_state_display()),
        }
        for o in orders.select_related("appeal", "unit").order_by("unit__name", "issued_at")[:1000]
    ]
    return {
        "week_start": week.start.isoformat(),
        "week_end": week.end.isoformat(),
        "generated_at": _local(now),
        "columns": [list(c) for c in COLUMNS],
        "units": units,
        "totals": totals,
        "orders": order_rows,
    }


def _local(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(clock.centre_tz()).strftime("%Y-%m-%d %H:%M")


def unit_work_lists(*, unit: Unit, now: dt.datetime, limit: int = 200) -> dict[str, list[Assignment]]:
    """The per-unit page's lists: overdue, due within three days, red/yellow."""
    base = Assignment.objects.filter(unit=unit, state__in=RUNNING).select_related("appeal", "appeal__category")
    return {
        "overdue": list(base.filter(due_at__lt=now).order_by("due_at")[:limit]),
        "due_soon": list(base.filter(due_at__gte=now, due_at__lt=now + DUE_SOON).order_by("due_at")[:limit]),
        "warned": list(base.filter(warning__in=["red", "yellow"]).order_by("-warning", "due_at")[:limit]),
    }


def weekly_snapshot(*, week: rules.Period, now: dt.datetime, by: int | None = None) -> WeeklyReport:
    """Store the centre-wide report of ``week`` (reports' own table)."""
    return WeeklyReport.objects.create(
        week_start=week.start, generated_at=now, generated_by=by, data=weekly_data(week=week, now=now)
    )


def last_week(now: dt.datetime) -> rules.Period:
    return rules.week_period(clock.local_date(now) - dt.timedelta(days=7))
