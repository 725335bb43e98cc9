"""The mediation sweep (every few minutes, through ``core.periodic``): term warnings at 75 % of the 30-day term,
overdue cases with their automatic supervision order (督办), and the reminder of the judicial-confirmation window
for signed agreements. Each mark is written once (a conditional UPDATE claims it, so two sweeps never write the
same event twice) and appends a timeline event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from shanzhi.core import clock
from shanzhi.mediation import rules
from shanzhi.mediation.models import OPEN_CASE_STATES, Agreement, Case, CaseEvent, EventKind
from shanzhi.mediation.supervision import case_overdue_supervise
from shanzhi.supervision.models import SupervisionTrigger


def _mark(case: Case, kind: str, field: str, now: dt.datetime, note: str) -> bool:
    with transaction.atomic():
        claimed = Case.objects.filter(pk=case.pk, **{f"{field}__isnull": True}).update(**{field: now})
        if not claimed:
            return False
        CaseEvent.objects.create(case=case, kind=kind, at=now, actor=None, from_state=case.state,
                                 to_state=case.state, note=note)  # fmt: skip
    return True


def mediation_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    counts = {"warned": 0, "overdue": 0, "supervised": 0, "confirmation_due": 0}
    open_cases = Case.objects.filter(state__in=OPEN_CASE_STATES)
    for case in open_cases.filter(overdue_at__isnull=True).only("id", "state", "created_at", "due_at", "warned_at"):
        stage = rules.term_stage(created_at=case.created_at, due_at=case.due_at, now=now)
        due_text = f"{case.due_at.astimezone(clock.centre_tz()):%Y-%m-%d}"
        if stage == "red" and _mark(case, EventKind.OVERDUE, "overdue_at", now, f"已超过调解期限 {due_text}"):
            counts["overdue"] += 1
        elif (
            stage == "yellow"
            and case.warned_at is None
            and _mark(case, EventKind.WARNED, "warned_at", now, f"调解期限 {due_text} 将至")
        ):
            counts["warned"] += 1
    # 督办: every open overdue case without its automatic order gets one (those just marked, and any a past sweep
    # marked before the order existed); an order raised once is not raised again after an extension.
    unsupervised = open_cases.filter(overdue_at__isnull=False).exclude(supervisions__trigger=SupervisionTrigger.OVERDUE)
    for case in unsupervised.only("id", "state"):
        with transaction.atomic():
            counts["supervised"] += case_overdue_supervise(case=case, now=now) is not None
    today = clock.local_date(now)
    for agreement in Agreement.objects.filter(confirmation_reminded_at__isnull=True).select_related("case"):
        if not rules.confirmation_reminder_due(signed_on=agreement.signed_on, today=today):
            continue
        with transaction.atomic():
            if not Agreement.objects.filter(pk=agreement.pk, confirmation_reminded_at__isnull=True).update(
                confirmation_reminded_at=now
            ):
                continue
            deadline = rules.judicial_confirmation_deadline(agreement.signed_on)
            CaseEvent.objects.create(
                case=agreement.case, kind=EventKind.CONFIRMATION_REMINDER, at=now, actor=None,
                from_state=agreement.case.state, to_state=agreement.case.state,
                note=f"协议书 {agreement.number} 申请司法确认的期限 {deadline:%Y-%m-%d} 将至",
            )  # fmt: skip
        counts["confirmation_due"] += 1
    return counts
