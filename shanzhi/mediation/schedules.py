"""调解员值班表: who is on duty which day. A committee's week — each mediator's kind (常驻/轮驻/随驻), a rotating
mediator's duty weekdays and the days that differ (on duty, on leave, on call) — read for the schedule page and for
the assignment (分), written by the centre's schedulers in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.mediation import policy, rules
from shanzhi.mediation.models import Committee, DutyEntry, DutyStatus, Mediator, MediatorKind
from shanzhi.orgs.models import User


def week_of(day: dt.date) -> list[dt.date]:
    """The Monday-to-Sunday week of ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def statuses_on(day: dt.date, mediator_ids: Iterable[int]) -> dict[int, str]:
    """The schedule's entries of ``day`` (mediator id → status); a mediator without one is absent."""
    entries = DutyEntry.objects.filter(day=day, mediator_id__in=list(mediator_ids))
    return dict(entries.values_list("mediator_id", "status"))


@dataclass(frozen=True)
class Cell:
    day: dt.date
    status: str  # "" when the day follows the mediator's kind
    on_duty: bool


@dataclass(frozen=True)
class Row:
    mediator: Mediator
    cells: list[Cell]


def schedule_week(*, committee: Committee, week_start: dt.date) -> list[Row]:
    days = week_of(week_start)
    mediators = list(Mediator.objects.filter(committee=committee).select_related("user").order_by("id"))
    entries = {
        (e.mediator_id, e.day): e.status
        for e in DutyEntry.objects.filter(mediator__in=mediators, day__gte=days[0], day__lte=days[-1])
    }
    rows = []
    for m in mediators:
        cells = []
        for day in days:
            status = entries.get((m.pk, day), "")
            on_duty = rules.mediator_on_duty(kind=m.kind, is_available=m.is_available,
                                             duty_weekdays=m.duty_weekdays or (), day=day, status=status)  # fmt: skip
            cells.append(Cell(day, status, on_duty))
        rows.append(Row(m, cells))
    return rows


@dataclass(frozen=True)
class MediatorPlan:
    kind: str
    duty_weekdays: tuple[int, ...]
    days: Mapping[dt.date, str]  # "" clears the day's entry


def schedule_set(*, actor: User, committee: Committee, plans: Mapping[int, MediatorPlan]) -> int:
    """Save the plans of ``committee``'s mediators (by mediator id); how many days were changed."""
    if not policy.may_edit_schedule(actor):
        raise PermissionDenied(_("只有中心领导或派单员可以编排值班表"))
    now = clock.now()
    changed = 0
    with transaction.atomic():
        mediators = {m.pk: m for m in Mediator.objects.select_for_update().filter(committee=committee,
                                                                                   pk__in=list(plans))}  # fmt: skip
        if set(plans) - set(mediators):
            raise ValidationFailed(_("调解员不属于该调解委员会"), field="mediator")
        for pk, plan in sorted(plans.items()):
            mediator = mediators[pk]
            if plan.kind not in MediatorKind.values:
                raise ValidationFailed(_("驻点方式无效"), field="kind")
            weekdays = sorted(set(plan.duty_weekdays))
            if any(not 0 <= d <= 6 for d in weekdays):
                raise ValidationFailed(_("值班日无效"), field="duty_weekdays")
            if plan.kind == MediatorKind.ROTATING and not weekdays:
                raise ValidationFailed(_("轮驻调解员至少要有一个值班日"), field="duty_weekdays")
            if (mediator.kind, mediator.duty_weekdays) != (plan.kind, weekdays):
                mediator.kind, mediator.duty_weekdays = plan.kind, weekdays
                mediator.save(update_fields=["kind", "duty_weekdays"])
            for day, status in sorted(plan.days.items()):
                if status and status not in DutyStatus.values:
                    raise ValidationFailed(_("值班状态无效"), field="status")
                current = DutyEntry.objects.filter(mediator=mediator, day=day).first()
                if (current.status if current else "") == status:
                    continue
                if not status:
                    DutyEntry.objects.filter(mediator=mediator, day=day).delete()
                else:
                    DutyEntry.objects.update_or_create(mediator=mediator, day=day, defaults={
                        "status": status, "updated_by": actor, "updated_at": now})  # fmt: skip
                changed += 1
    return changed
