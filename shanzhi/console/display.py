"""Pure display rules of the console: status tag colours, the time-left countdown and the timeline's words. Time is a
parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

# DESIGN §11: 待签收 blue, 办理中 teal, 黄牌 amber, 红牌/超期 red, 已办结 grey.
APPEAL_STATE_TONES = {
    "received": "blue",
    "accepted": "indigo",
    "dispatched": "blue",
    "in_progress": "teal",
    "feedback": "purple",
    "replied": "cyan",
    "needs_info": "orange",
    "closed": "grey",
    "rejected": "grey",
    "answered": "grey",
    "merged": "grey",
}
ASSIGNMENT_STATE_TONES = {
    "pending": "blue",
    "signed": "teal",
    "shelved": "orange",
    "done": "grey",
    "returned": "grey",
    "cancelled": "grey",
}
WARNING_TONES = {"yellow": "amber", "red": "red"}

# Amber when less than this share of the limit is left (the SLA's yellow card is at 75 % used).
AMBER_SHARE = 0.25
AMBER_FALLBACK = dt.timedelta(hours=24)


def state_tone(state: str, *, assignment: bool = False) -> str:
    table = ASSIGNMENT_STATE_TONES if assignment else APPEAL_STATE_TONES
    return table.get(state, "grey")


@dataclass(frozen=True)
class TimeLeft:
    text: str
    level: str  # "ok", "amber", "red" or "none"
    seconds: int | None


def humanize_duration(delta: dt.timedelta) -> str:
    """``2天3小时`` / ``3小时15分`` / ``12分钟`` (largest two units, never negative)."""
    total = max(int(delta.total_seconds()), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s分钟") % {"m": minutes}
    return _("不到1分钟")


def time_left(
    *,
    due_at: dt.datetime | None,
    now: dt.datetime,
    start: dt.datetime | None = None,
    warn_at: dt.datetime | None = None,
    warning: str = "none",
) -> TimeLeft:
    """The countdown shown in lists: red when overdue (or a red card), amber near the deadline (or a yellow card)."""
    if due_at is None:
        return TimeLeft("—", "none", None)
    left = due_at - now
    seconds = int(left.total_seconds())
    if seconds < 0:
        return TimeLeft(_("超期 %(t)s") % {"t": humanize_duration(-left)}, "red", seconds)
    text = _("剩余 %(t)s") % {"t": humanize_duration(left)}
    if warning == "red":
        return TimeLeft(text, "red", seconds)
    near = False
    if warn_at is not None:
        near = now >= warn_at
    elif start is not None and due_at > start:
        near = left <= (due_at - start) * AMBER_SHARE
    else:
        near = left <= AMBER_FALLBACK
    if warning == "yellow" or near:
        return TimeLeft(text, "amber", seconds)
    return TimeLeft(text, "ok", seconds)


# --- the timeline's words -------------------------------------------------------------------------------------

_REQUEST_TITLES = {"return": _noop("申请退回"), "extend": _noop("申请延期"), "shelve": _noop("申请挂账")}
_DECISION_TITLES = {
    ("request_approved", "return"): _noop("退回申请通过"),
    ("request_approved", "extend"): _noop("延期申请通过"),
    ("request_approved", "shelve"): _noop("挂账申请通过"),
    ("request_refused", "return"): _noop("退回申请驳回"),
    ("request_refused", "extend"): _noop("延期申请驳回"),
    ("request_refused", "shelve"): _noop("挂账申请驳回"),
}


def event_title(kind: str, label: str, payload: dict[str, Any] | None) -> str:
    """What a timeline entry says happened: the event's label, except that a unit's request says what was asked
    (“申请延期 5 个工作日”, “申请退回”) and the centre's decision says on which request (“延期申请驳回”)."""
    data = payload if isinstance(payload, dict) else {}
    asked = str(data.get("kind") or "")
    if kind == "requested" and asked in _REQUEST_TITLES:
        days = data.get("extra_working_days")
        if asked == "extend" and isinstance(days, int) and days > 0:
            return _("申请延期 %(days)s 个工作日") % {"days": days}
        return _(_REQUEST_TITLES[asked])
    if (kind, asked) in _DECISION_TITLES:
        return _(_DECISION_TITLES[(kind, asked)])
    return _(label) if label else ""


def event_detail(kind: str, payload: dict[str, Any] | None) -> str:
    """A line under the title for what the reason does not say: the legal or remit basis of a return request."""
    data = payload if isinstance(payload, dict) else {}
    basis = str(data.get("basis") or "").strip()
    if kind == "requested" and data.get("kind") == "return" and basis:
        return _("依据：%(basis)s") % {"basis": basis}
    return ""
