"""The periodic deadline sweep: yellow and red warnings on assignments, automatic supervision orders (督办单)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Appeal, Assignment, AssignmentState
from shanzhi.appeals.principals import SYSTEM_SWEEP
from shanzhi.core import clock
from shanzhi.sla import rules
from shanzhi.sla.calendar import current_calendar
from shanzhi.sla.rules import WarningLevel
from shanzhi.supervision.models import SupervisionLevel, SupervisionOrder, SupervisionTrigger

logger = logging.getLogger(__name__)

CLOCK_RUNNING_STATES = (AssignmentState.PENDING, AssignmentState.SIGNED)
BATCH_SIZE = 500


def _running() -> QuerySet[Assignment]:
    """Assignments whose clock runs: pending or signed, not paused (``needs_info``)."""
    return Assignment.objects.filter(state__in=CLOCK_RUNNING_STATES, paused_at__isnull=True)


def _batches(queryset: QuerySet[Assignment], size: int, counts: dict[str, int]) -> Iterable[list[Assignment]]:
    """Lock and yield batches of ``queryset``; each batch is handled inside its own transaction.

    Rows are locked in the one order every service uses (DESIGN §10.4): the appeals first, by id, then their
    assignments, by id. (Locking assignments first and then writing events, which need the appeal row, deadlocked
    on PostgreSQL against a service that held the appeal and wanted its assignment.) Appeals another transaction
    holds are skipped (``SKIP LOCKED``; the next sweep takes them); SQLite serialises writers anyway. Before the
    batch commits, its appeals get the worst warning of their active assignments (``counts["appeals"]``).
    """
    last_appeal = 0
    while True:
        with transaction.atomic():
            appeal_ids = list(
                queryset.filter(appeal_id__gt=last_appeal)
                .order_by("appeal_id")
                .values_list("appeal_id", flat=True)
                .distinct()[:size]
            )
            if not appeal_ids:
                return
            last_appeal = appeal_ids[-1]
            locked = list(
                Appeal.objects.select_for_update(skip_locked=True)
                .filter(pk__in=appeal_ids)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            rows = (
                list(
                    queryset.filter(appeal_id__in=locked)
                    .select_related("appeal")
                    .select_for_update(of=("self",))
                    .order_by("pk")
                )
                if locked
                else []
            )
            if rows:
                yield rows
                counts["appeals"] += _refresh_locked(locked)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _warn(rows: list[Assignment], *, level: WarningLevel, now: dt.datetime, reason: str) -> None:
    for row in rows:
        record_event(
            appeal=row.appeal,
            kind="warned",
            at=now,
            actor=SYSTEM_SWEEP,
            assignment=row,
            reason=reason,
            is_public=False,
            payload={
                "level": level.value,
                "from": row.warning,
                "warn_at": _iso(row.warn_at),
                "due_at": _iso(row.due_at),
                "unit_id": row.unit_id,
            },
        )
    Assignment.objects.filter(pk__in=[row.pk for row in rows]).update(warning=level.value)


def _supervise(rows: list[Assignment], *, trigger: str, level: str, now: dt.datetime, reason: str) -> list[Assignment]:
    """Raise one automatic order per row (unless one exists for that trigger); one "supervised" event each."""
    existing = set(
        SupervisionOrder.objects.filter(assignment__in=rows, trigger=trigger).values_list("assignment_id", flat=True)
    )
    fresh = [row for row in rows if row.pk not in existing]
    reply_due_at = rules.add_working_days(now, 1, current_calendar())
    SupervisionOrder.objects.bulk_create(
        [
            SupervisionOrder(
                assignment=row,
                appeal=row.appeal,
                unit_id=row.unit_id,
                level=level,
                trigger=trigger,
                reason=reason,
                issued_at=now,
                reply_due_at=reply_due_at,
            )
            for row in fresh
        ],
        ignore_conflicts=True,
    )
    for row in fresh:
        record_event(
            appeal=row.appeal,
            kind="supervised",
            at=now,
            actor=SYSTEM_SWEEP,
            assignment=row,
            reason=reason,
            is_public=False,
            payload={
                "level": level,
                "trigger": trigger,
                "automatic": True,
                "unit_id": row.unit_id,
                "from": row.warning,
                # The overdue order is also the warning's change to red (no separate "warned" event).
                "warning": WarningLevel.RED.value if trigger == SupervisionTrigger.OVERDUE else row.warning,
                "sign_due_at": _iso(row.sign_due_at),
                "due_at": _iso(row.due_at),
            },
        )
    return fresh


def deadlines_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Raise yellow and red warnings, automatic supervision orders, and lift warnings that no longer apply.

    * ``warn_at`` passed (not yet due), warning ``none`` → yellow (event ``warned``);
    * ``due_at`` passed, warning not red → red, plus an automatic overdue order the first time (event
      ``supervised``; if an order exists already, e.g. overdue again after an extension, event ``warned``);
    * still pending after ``sign_due_at`` → an automatic sign-overdue order (once);
    * a warning above what the deadlines now say (after an extension or a resumed pause) → lowered (``warned``).
    Then each touched appeal shows the worst warning of its active assignments. Idempotent; safe to run twice.
    """
    now = now or clock.now()
    counts: dict[str, int] = defaultdict(int)

    red = _running().filter(due_at__lte=now).exclude(warning=WarningLevel.RED)
    for rows in _batches(red, batch_size, counts):
        fresh = _supervise(
            rows,
            trigger=SupervisionTrigger.OVERDUE,
            level=SupervisionLevel.OVERDUE,
            now=now,
            reason=str(_("超过办理时限未办结，系统自动督办")),
        )
        fresh_ids = {row.pk for row in fresh}
        again = [row for row in rows if row.pk not in fresh_ids]
        if again:
            _warn(again, level=WarningLevel.RED, now=now, reason=str(_("再次超过办理时限，红牌预警")))
        Assignment.objects.filter(pk__in=[row.pk for row in rows]).update(warning=WarningLevel.RED)
        counts["red"] += len(rows)
        counts["orders"] += len(fresh)

    yellow = (
        _running()
        .filter(warning=WarningLevel.NONE, warn_at__lte=now)
        .filter(Q(due_at__gt=now) | Q(due_at__isnull=True))
    )
    for rows in _batches(yellow, batch_size, counts):
        _warn(rows, level=WarningLevel.YELLOW, now=now, reason=str(_("已用时超过办理时限的75%，黄牌预警")))
        counts["yellow"] += len(rows)

    has_sign_order = SupervisionOrder.objects.filter(assignment=OuterRef("pk"), trigger=SupervisionTrigger.SIGN_OVERDUE)
    unsigned = _running().filter(state=AssignmentState.PENDING, sign_due_at__lte=now).exclude(Exists(has_sign_order))
    for rows in _batches(unsigned, batch_size, counts):
        signed_late = _supervise(
            rows,
            trigger=SupervisionTrigger.SIGN_OVERDUE,
            level=SupervisionLevel.YELLOW,
            now=now,
            reason=str(_("超过签收时限未签收，系统自动催办")),
        )
        counts["sign_orders"] += len(signed_late)

    not_due = Q(due_at__gt=now) | Q(due_at__isnull=True)
    lifted = _running().filter(
        (Q(warning=WarningLevel.RED) & not_due)
        | (Q(warning=WarningLevel.YELLOW) & (Q(warn_at__gt=now) | Q(warn_at__isnull=True)))
    )
    for rows in _batches(lifted, batch_size, counts):
        by_level: dict[WarningLevel, list[Assignment]] = defaultdict(list)
        for row in rows:
            by_level[rules.warning_level(at=now, warn_at=row.warn_at, due_at=row.due_at)].append(row)
        for level, group in by_level.items():
            _warn(group, level=level, now=now, reason=str(_("时限已调整，预警相应调整")))
        counts["lifted"] += len(rows)

    counts["appeals"] += 0  # always reported, also when nothing changed
    if any(counts.values()):
        logger.info("deadline sweep: %s", dict(counts))
    return dict(counts)


def _refresh_locked(appeal_ids: list[int]) -> int:
    """Set each (locked) appeal's warning to the worst of its active assignments; returns how many changed."""
    levels: dict[int, list[str]] = {pk: [] for pk in appeal_ids}
    for appeal_id, warning in Assignment.objects.filter(
        appeal_id__in=appeal_ids, state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("appeal_id", "warning"):
        levels[appeal_id].append(warning)
    by_level: dict[str, list[int]] = defaultdict(list)
    for appeal_id, found in levels.items():
        by_level[rules.worst_warning(found).value].append(appeal_id)
    changed = 0
    for level, pks in by_level.items():
        changed += Appeal.objects.filter(pk__in=pks).exclude(warning=level).update(warning=level)
    return changed


def refresh_appeal_warnings(*, appeal_ids: Iterable[int]) -> int:
    """Set each appeal's warning to the worst of its active assignments; returns how many appeals changed.
    Each chunk of appeals is locked first, by id (the one lock order)."""
    ids = sorted(set(appeal_ids))
    changed = 0
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            chunk = list(
                Appeal.objects.select_for_update()
                .filter(pk__in=ids[start : start + BATCH_SIZE])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            changed += _refresh_locked(chunk)
    return changed
