"""The rules of the supervision cycle (督办), pure: the time and the working calendar are passed in, no ORM.

- A new order, and an order sent back for a better reply (退回重新回复), gives the unit one working day to reply.
- A reply is late (逾期回复) when it comes after the reply deadline; a late reply is still a reply.
- An urge (催办) raises a yellow order to red (red and overdue orders keep their level) and gives the unit at most
  :data:`URGE_REPLY_HOURS` working hours to reply: a deadline further away is brought forward, a nearer one is
  kept, and a deadline already missed is never moved — missed stays missed, the weekly report keeps counting it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shanzhi.sla.rules import WorkCalendar, add_working_days, add_working_time
from shanzhi.supervision.models import SupervisionLevel, SupervisionState

#: Working days a unit has to answer a new order, or an order sent back to it.
REPLY_WORKING_DAYS = 1
#: Working hours a unit has to answer once the centre urges (at most; a nearer deadline is kept).
URGE_REPLY_HOURS = 4

#: The level an urge raises an order to.
URGE_LEVEL = {
    SupervisionLevel.YELLOW: SupervisionLevel.RED,
    SupervisionLevel.RED: SupervisionLevel.RED,
    SupervisionLevel.OVERDUE: SupervisionLevel.OVERDUE,
}

OPEN, REPLIED, CLOSED = SupervisionState.OPEN, SupervisionState.REPLIED, SupervisionState.CLOSED
#: action → (states it may start from, the state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "reply": (frozenset({OPEN}), REPLIED),
    "urge": (frozenset({OPEN}), OPEN),
    "reject": (frozenset({REPLIED}), OPEN),
    "close": (frozenset({OPEN, REPLIED}), CLOSED),
}
#: Who acts: the supervised unit replies; the centre urges, sends back and closes.
UNIT_ACTIONS = frozenset({"reply"})
CENTRE_ACTIONS = frozenset({"urge", "reject", "close"})


def may_transition(action: str, state: str) -> bool:
    allowed = TRANSITIONS.get(action)
    return allowed is not None and state in allowed[0]


def next_state(action: str) -> str:
    return TRANSITIONS[action][1]


def reply_deadline(*, start: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """When a unit must reply to an order issued (or sent back) at ``start``."""
    return add_working_days(start, REPLY_WORKING_DAYS, calendar)


def reply_is_late(*, replied_at: dt.datetime, reply_due_at: dt.datetime | None) -> bool:
    return reply_due_at is not None and replied_at > reply_due_at


@dataclass(frozen=True)
class UrgeOutcome:
    level: str
    reply_due_at: dt.datetime | None
    escalated: bool
    deadline_moved: bool


def urge_outcome(
    *, level: str, reply_due_at: dt.datetime | None, now: dt.datetime, calendar: WorkCalendar
) -> UrgeOutcome:
    """What one urge does to an open order (see the module docstring)."""
    new_level = URGE_LEVEL.get(SupervisionLevel(level), SupervisionLevel(level))
    urged_due = add_working_time(now, dt.timedelta(hours=URGE_REPLY_HOURS), calendar)
    if reply_due_at is None:
        new_due: dt.datetime | None = urged_due
    elif reply_due_at <= now:
        new_due = reply_due_at  # missed stays missed
    else:
        new_due = min(reply_due_at, urged_due)
    return UrgeOutcome(
        level=str(new_level),
        reply_due_at=new_due,
        escalated=new_level != level,
        deadline_moved=new_due != reply_due_at,
    )


def is_overdue_for_reply(*, state: str, reply_due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """An open order whose reply deadline has passed (回复超时)."""
    return state == SupervisionState.OPEN and reply_due_at is not None and reply_due_at < now
