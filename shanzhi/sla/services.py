"""Deadlines for assignments, pauses and extensions, from the SLA policies and the working calendar.

Called by the appeals services on every dispatch, pause, resume and extension. Everything here reads the cached
snapshot of :mod:`shanzhi.sla.calendar` (no query per call in the steady state) and delegates the arithmetic to the
pure functions of :mod:`shanzhi.sla.rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import ngettext

from shanzhi.routing.models import Category, Urgency
from shanzhi.sla import rules
from shanzhi.sla.calendar import current_calendar, snapshot
from shanzhi.sla.models import SlaPolicy
from shanzhi.sla.rules import DEFAULT_LIMITS, PolicyLimits


@dataclass(frozen=True)
class Deadlines:
    sign_due_at: dt.datetime
    contact_due_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime


def deadlines_capped(deadlines: Deadlines, *, start: dt.datetime, cap: dt.datetime | None) -> Deadlines:
    """The deadlines no later than an upstream platform's (the city 12345's time limit for its order): the handling
    deadline becomes the cap when that is earlier, the sign-for and contact deadlines follow it, and the warning
    comes at 75 % of the shortened time. No cap, or one not after ``start``: unchanged."""
    if cap is None or cap <= start or cap >= deadlines.due_at:
        return deadlines
    warn_at = min(deadlines.warn_at, start + (cap - start) * 0.75)
    return Deadlines(
        sign_due_at=min(deadlines.sign_due_at, cap),
        contact_due_at=min(deadlines.contact_due_at, cap),
        due_at=cap,
        warn_at=warn_at,
    )


def policy_limits(*, category: Category | None, urgency: str) -> PolicyLimits:
    """The limits that apply: the category's own policy, its nearest ancestor's, the centre-wide one, the default."""
    if urgency not in DEFAULT_LIMITS:
        urgency = Urgency.ORDINARY
    policies = snapshot().policies
    node = category
    has_specific = any(cat_id is not None and urg == urgency for cat_id, urg in policies)
    while node is not None and has_specific:
        found = policies.get((node.pk, urgency))
        if found is not None:
            return found
        node = node.parent if node.parent_id else None
    return policies.get((None, urgency)) or DEFAULT_LIMITS[urgency]


def deadlines_for(*, category: Category | None, urgency: str, start: dt.datetime) -> Deadlines:
    """The sign-for, first-contact and handling deadlines and the yellow-warning point of an assignment.

    ``warn_at`` is where 75 % of the handling limit has elapsed, in the limit's own kind of time. The sign-for and
    contact deadlines are never later than the handling deadline.
    """
    limits = policy_limits(category=category, urgency=urgency)
    calendar = current_calendar()
    # The result depends on nothing else: the appeals of one batch share their registration time, and most share a
    # few policies. Remembered for the calendar in force (a new snapshot starts afresh), at most 512 at a time.
    if _recent["calendar"] is not calendar or len(_recent["deadlines"]) >= 512:
        _recent["calendar"], _recent["deadlines"] = calendar, {}
    known = _recent["deadlines"].get((limits, start))
    if known is not None:
        return known
    due_at = rules.add_limit(start, limits.handle, calendar)
    deadlines = Deadlines(
        sign_due_at=min(rules.add_limit(start, limits.sign, calendar), due_at),
        contact_due_at=min(rules.add_limit(start, limits.contact, calendar), due_at),
        due_at=due_at,
        warn_at=rules.warn_point(start, limits.handle, calendar),
    )
    _recent["deadlines"][(limits, start)] = deadlines
    return deadlines


_recent: dict[str, Any] = {"calendar": None, "deadlines": {}}


def reply_due_at(*, category: Category | None, urgency: str, start: dt.datetime) -> dt.datetime:
    """When the centre's unified reply is due, counted from ``start`` (the accepted feedback)."""
    limits = policy_limits(category=category, urgency=urgency)
    return rules.add_limit(start, limits.reply, current_calendar())


def follow_up_due_at(*, category: Category | None, urgency: str, start: dt.datetime) -> dt.datetime:
    """When the follow-up (回访) is due, counted from ``start`` (the reply)."""
    limits = policy_limits(category=category, urgency=urgency)
    return rules.add_limit(start, limits.follow_up, current_calendar())


def deadline_after_pause(*, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """``due_at`` moved later by the working time that elapsed between ``paused_at`` and ``resumed_at``.

    Used when an appeal comes back from ``needs_info`` and when a shelved assignment is taken up again. A pause that
    covered no working time (a night, a weekend) leaves the deadline where it was.
    """
    return rules.shift_by_pause(due_at, paused_at, resumed_at, current_calendar())


def warn_at_after_pause(*, warn_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """The yellow-warning point moved like the deadline (see :func:`deadline_after_pause`)."""
    return rules.shift_by_pause(warn_at, paused_at, resumed_at, current_calendar())


def deadline_extended(*, due_at: dt.datetime, extra_working_days: int) -> dt.datetime:
    """The deadline after an approved extension of ``extra_working_days`` working days."""
    if extra_working_days < 0:
        raise ValueError("extra_working_days must not be negative")
    return rules.add_working_days(due_at, extra_working_days, current_calendar())


def warn_at_between(*, start: dt.datetime, due_at: dt.datetime) -> dt.datetime:
    """The 75 % point between ``start`` and a (new) deadline, e.g. after an extension.

    Measured in working time; if no working time lies between them (a short natural-hours limit at night), in
    clock time.
    """
    calendar = current_calendar()
    working = rules.working_time_between(start, due_at, calendar)
    if working > rules.ZERO:
        return rules.add_working_time(start, working * float(rules.WARN_RATIO), calendar)
    return start + (due_at - start) * float(rules.WARN_RATIO)


def working_time_between(*, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time elapsed from ``start`` to ``end`` under the centre's calendar (for KPIs and countdowns)."""
    return rules.working_time_between(start, end, current_calendar())


def warning_at(*, at: dt.datetime, warn_at: dt.datetime | None, due_at: dt.datetime | None) -> str:
    """The warning level (``none``/``yellow``/``red``) an assignment should show at ``at``."""
    return rules.warning_level(at=at, warn_at=warn_at, due_at=due_at).value


def ensure_default_policies() -> int:
    """Create the centre-wide policies (one per urgency, no category) from the built-in defaults if missing.

    Gives the centre rows to edit in the admin; returns how many were created. Idempotent.
    """
    created = 0
    for urgency, limits in DEFAULT_LIMITS.items():
        if SlaPolicy.objects.filter(category__isnull=True, urgency=urgency).exists():
            continue
        policy = SlaPolicy(category=None, urgency=urgency, note="系统默认时限")
        policy.set_limits(limits)
        policy.save()
        created += 1
    return created


def _limit_count(amount: Decimal) -> int:
    """The count that picks the plural form for ``amount``: itself when whole; fractions ("0.5 hours") take the
    plural (gettext wants an integer, and 2 selects the plural form in English)."""
    return int(amount) if amount == amount.to_integral() else 2


def _limit_text(amount: Decimal, unit: rules.TimeUnit) -> str:
    count = _limit_count(amount)
    if unit == rules.TimeUnit.NATURAL_HOURS:
        text = ngettext("%(n)s 小时", "%(n)s 小时", count)
    elif unit == rules.TimeUnit.WORKING_HOURS:
        text = ngettext("%(n)s 个工作小时", "%(n)s 个工作小时", count)
    else:
        text = ngettext("%(n)s 个工作日", "%(n)s 个工作日", count)
    return text % {"n": amount}


def limits_as_text(limits: PolicyLimits) -> dict[str, str]:
    """The limits in words, for screens and citizen messages ("5 个工作日"; "5 working days" in English).

    Translated in the active language, so call it while rendering, not at import time.
    """

    def text(limit: rules.Limit) -> str:
        amount = (
            limit.amount.normalize()
            if limit.amount != limit.amount.to_integral()
            else limit.amount.quantize(Decimal(1))
        )
        return _limit_text(amount, limit.unit)

    return {name: text(getattr(limits, name)) for name in ("sign", "contact", "handle", "reply", "follow_up")}
