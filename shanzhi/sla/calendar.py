"""The working calendar: seeding it from ``chinesecalendar``, editing it, and the cached in-process copy.

``chinesecalendar`` knows the State Council's holiday arrangements up to the year its release covers (2026 for
1.11) and raises ``NotImplementedError`` beyond. The calendar is therefore a table (:class:`WorkingDay`) seeded from
the package for the years it knows and edited by the centre for the others; any date without a row follows the
weekday rule. Nothing here ever asks the package about a single date, so an unknown year never crashes.

The hot path (:func:`current_calendar`, called on every dispatch) is served from an in-process snapshot:
edits in this process invalidate it at once (model signals, and explicit calls after bulk writes); edits made by
other processes are picked up within ``SHANZHI["SLA_CACHE_SECONDS"]`` (default 30 s) through a cheap "stamp"
query (row count and latest ``updated_at``) — never by re-reading the whole table on every call.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.sla.models import CalendarSource, SlaPolicy, WorkingDay, WorkingPeriod
from shanzhi.sla.rules import DEFAULT_PERIODS, PolicyLimits, WorkCalendar

# --- the package as a source ---------------------------------------------------------------------------------


def package_years() -> range:
    """The years ``chinesecalendar`` has data for (inclusive range)."""
    import chinese_calendar

    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def package_entries(years: set[int]) -> dict[dt.date, tuple[bool, str]]:
    """``{date: (is_workday, note)}`` for holidays and adjusted working days of ``years`` known to the package."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    def chinese(name: str) -> str:
        try:
            return str(Holiday(name).chinese)
        except ValueError:
            return name

    entries: dict[dt.date, tuple[bool, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year in years:
            entries[day] = (False, chinese(name))
    for day, name in chinese_calendar.workdays.items():
        if day.year in years:
            entries[day] = (True, f"{chinese(name)}调休上班")
    return entries


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_edited: int = 0
    seeded_years: list[int] = field(default_factory=list)
    unknown_years: list[int] = field(default_factory=list)


def calendar_seed(*, years: list[int] | None = None, model: Any = WorkingDay) -> SeedReport:
    """Write the package's holidays and adjusted working days for ``years`` (default: every year it knows).

    Idempotent. Rows the centre edited are kept; seeded rows the package no longer lists are removed. Years the
    package does not know are reported in ``unknown_years`` and left to the centre's edits (never an error).
    ``model`` lets the data migration pass its historical model.
    """
    known = package_years()
    wanted = sorted(set(years) if years is not None else set(known))
    report = SeedReport(
        seeded_years=[y for y in wanted if y in known], unknown_years=[y for y in wanted if y not in known]
    )
    if not report.seeded_years:
        return report
    entries = package_entries(set(report.seeded_years))
    with transaction.atomic():
        existing = {
            row.date: row
            for row in model.objects.filter(
                date__year__gte=report.seeded_years[0], date__year__lte=report.seeded_years[-1]
            )
            if row.date.year in report.seeded_years
        }
        new_rows, changed = [], []
        for day, (is_workday, note) in sorted(entries.items()):
            row = existing.pop(day, None)
            if row is None:
                new_rows.append(model(date=day, is_workday=is_workday, note=note, source=CalendarSource.SEEDED))
            elif row.source == CalendarSource.EDITED:
                report.kept_edited += 1
            elif (row.is_workday, row.note) != (is_workday, note):
                row.is_workday, row.note, row.updated_at = is_workday, note, clock.now()
                changed.append(row)
        stale = [row.pk for row in existing.values() if row.source == CalendarSource.SEEDED]
        model.objects.bulk_create(new_rows, batch_size=500)
        if changed:
            model.objects.bulk_update(changed, ["is_workday", "note", "updated_at"])
        if stale:
            model.objects.filter(pk__in=stale).delete()
        report.created, report.updated, report.deleted = len(new_rows), len(changed), len(stale)
    invalidate()
    return report


# --- editing ---------------------------------------------------------------------------------------------------


def _check_may_edit(actor: User) -> None:
    if not permissions.may_edit_calendar(actor):
        raise PermissionDenied(_("只有系统管理员或中心领导可以调整工作日历"))


def working_day_set(*, actor: User, date: dt.date, is_workday: bool, note: str = "") -> WorkingDay:
    """Mark ``date`` as a working day or a day off (an edit the seeder never overwrites)."""
    _check_may_edit(actor)
    if len(note) > 60:
        raise ValidationFailed(_("说明不能超过60个字"))
    row, _created = WorkingDay.objects.update_or_create(
        date=date,
        defaults={"is_workday": is_workday, "note": note, "source": CalendarSource.EDITED, "updated_by": actor},
    )
    return row


def working_day_reset(*, actor: User, date: dt.date) -> WorkingDay | None:
    """Undo an edit: back to the package's arrangement if it knows the year, else to the weekday rule."""
    _check_may_edit(actor)
    WorkingDay.objects.filter(date=date).delete()
    if date.year in package_years():
        entry = package_entries({date.year}).get(date)
        if entry is not None:
            row = WorkingDay.objects.create(
                date=date, is_workday=entry[0], note=entry[1], source=CalendarSource.SEEDED, updated_by=actor
            )
            invalidate()
            return row
    invalidate()
    return None


# --- the cached snapshot -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    calendar: WorkCalendar
    policies: dict[tuple[int | None, str], PolicyLimits]
    stamp: tuple[Any, ...]


_lock = threading.Lock()
_state: dict[str, Any] = {"snapshot": None, "checked": 0.0}


def _stamp() -> tuple[Any, ...]:
    parts: list[Any] = []
    for model in (WorkingDay, WorkingPeriod, SlaPolicy):
        agg = model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        parts.extend([agg["n"], agg["last"]])
    return tuple(parts)


def _load(stamp: tuple[Any, ...]) -> Snapshot:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, is_workday in WorkingDay.objects.values_list("date", "is_workday"):
        (workdays if is_workday else holidays).add(day)
    periods = tuple(WorkingPeriod.objects.order_by("start").values_list("start", "end")) or DEFAULT_PERIODS
    calendar = WorkCalendar(
        holidays=frozenset(holidays), workdays=frozenset(workdays), periods=periods, tz=clock.centre_tz()
    )
    policies = {(p.category_id, p.urgency): p.limits() for p in SlaPolicy.objects.all()}
    return Snapshot(calendar=calendar, policies=policies, stamp=stamp)


def _ttl() -> float:
    return float(getattr(settings, "SHANZHI", {}).get("SLA_CACHE_SECONDS", 30))


def snapshot() -> Snapshot:
    """The calendar and the policies, cached in this process (see the module docstring)."""
    current: Snapshot | None = _state["snapshot"]
    now = time.monotonic()
    if current is not None and now - _state["checked"] < _ttl():
        return current
    with _lock:
        current = _state["snapshot"]
        stamp = _stamp()
        if current is None or current.stamp != stamp:
            current = _load(stamp)
            _state["snapshot"] = current
        _state["checked"] = time.monotonic()
        return current


def current_calendar() -> WorkCalendar:
    return snapshot().calendar


def invalidate() -> None:
    """Forget the cached snapshot (after an edit; tests call it between cases)."""
    with _lock:
        _state["snapshot"] = None
        _state["checked"] = 0.0


@receiver(post_save, sender="sla.WorkingDay")
@receiver(post_delete, sender="sla.WorkingDay")
@receiver(post_save, sender="sla.WorkingPeriod")
@receiver(post_delete, sender="sla.WorkingPeriod")
@receiver(post_save, sender="sla.SlaPolicy")
@receiver(post_delete, sender="sla.SlaPolicy")
def _invalidate_on_edit(sender: type[models.Model], **kwargs: Any) -> None:
    transaction.on_commit(invalidate)
    invalidate()
