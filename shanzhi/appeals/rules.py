"""Pure lifecycle rules: which appeal states an action may start from, and which roles may take it.

DESIGN §4. The services check these before any write; the console and the API use them to show allowed actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shanzhi.appeals.models import AppealState as S
from shanzhi.appeals.models import AssignmentState as A
from shanzhi.appeals.principals import CITIZEN, SYSTEM_GRID_VERIFICATION, SYSTEM_IOT
from shanzhi.orgs.permissions import CENTRE_DESK_ROLES as CENTRE_DESK
from shanzhi.orgs.permissions import DISPATCH_ROLES as DISPATCH
from shanzhi.orgs.permissions import UNIT_WORK_ROLES as UNIT_WORK


@dataclass(frozen=True)
class Action:
    """An appeal-level action: from which states, to which state (None = decided by the service), by which roles."""

    code: str
    label: str
    from_states: frozenset[str]
    to_state: str | None
    roles: frozenset[str]
    needs_assignment: bool = False  # taken by the unit on its own assignment


def _a(code: str, label: str, sources: Iterable[str], to: str | None, roles: Iterable[str], **kw: bool) -> Action:
    return Action(code, label, frozenset(sources), to, frozenset(roles), **kw)


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        _a("accept", "受理", [S.RECEIVED], S.ACCEPTED, CENTRE_DESK),
        _a("reject", "不予受理", [S.RECEIVED, S.ACCEPTED], S.REJECTED, CENTRE_DESK),
        _a("answer", "直接答复", [S.RECEIVED, S.ACCEPTED], S.ANSWERED, CENTRE_DESK),
        _a("request_info", "要求补充", [S.RECEIVED, S.ACCEPTED], S.NEEDS_INFO, CENTRE_DESK),
        _a("supply_info", "补充完成", [S.NEEDS_INFO], None, CENTRE_DESK | {"integration", CITIZEN.code}),
        _a("dispatch", "派遣", [S.ACCEPTED], S.DISPATCHED, DISPATCH),
        _a("merge", "合并", [S.RECEIVED, S.ACCEPTED, S.DISPATCHED], S.MERGED, DISPATCH | {"operator"}),
        _a("sign", "签收", [S.DISPATCHED, S.IN_PROGRESS], S.IN_PROGRESS, UNIT_WORK, needs_assignment=True),
        _a("contact", "联系诉求人", [S.IN_PROGRESS], None, UNIT_WORK, needs_assignment=True),
        _a("feedback", "处置反馈", [S.IN_PROGRESS], None, UNIT_WORK, needs_assignment=True),
        _a(
            "request",
            "申请(退回/延期/挂账)",
            [S.DISPATCHED, S.IN_PROGRESS],
            None,
            UNIT_WORK,
            needs_assignment=True,
        ),
        _a("decide_request", "审批申请", [S.DISPATCHED, S.IN_PROGRESS], None, DISPATCH),
        _a("reply", "统一答复", [S.FEEDBACK], S.REPLIED, CENTRE_DESK),
        _a("redo", "重办", [S.FEEDBACK, S.REPLIED], S.DISPATCHED, DISPATCH | {SYSTEM_GRID_VERIFICATION.code}),
        # The citizen's own rating of the reply counts as the follow-up (portal, SMS).
        _a("follow_up", "回访", [S.REPLIED], None, CENTRE_DESK | {CITIZEN.code}),
        _a("close", "办结", [S.REPLIED], S.CLOSED, CENTRE_DESK),
        # An IoT alarm the grid worker found false: the work it started is withdrawn and the appeal closed.
        _a(
            "withdraw",
            "误报撤销",
            [S.RECEIVED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS],
            S.CLOSED,
            {SYSTEM_IOT.code},
        ),
        _a(
            "reopen",
            "重新办理",
            [S.CLOSED],
            S.DISPATCHED,
            DISPATCH | {CITIZEN.code, SYSTEM_GRID_VERIFICATION.code},
        ),
    ]
}


# --- an assignment's own states (DESIGN §4): where each may go -----------------------------------------------------

ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.PENDING: frozenset({A.SIGNED, A.RETURNED, A.CANCELLED, A.ENDED}),
    A.SIGNED: frozenset({A.DONE, A.SHELVED, A.RETURNED, A.CANCELLED, A.ENDED}),
    A.SHELVED: frozenset({A.SIGNED, A.CANCELLED, A.ENDED}),
    A.DONE: frozenset(),
    A.RETURNED: frozenset(),
    A.CANCELLED: frozenset(),
    A.ENDED: frozenset(),
}

#: Why a unit's share ended without its own feedback (the ``why`` of the ``assignment_ended`` event).
END_WHY_LEAD_FED_BACK = "lead_fed_back"  # the lead's feedback closed the round: the assisting shares end
END_WHY_NEW_ROUND = "new_round"  # a new round (redo, reopen, re-dispatch) replaced the round
END_WHYS = frozenset({END_WHY_LEAD_FED_BACK, END_WHY_NEW_ROUND})


def assignment_may_become(from_state: str, to_state: str) -> bool:
    return to_state in ASSIGNMENT_TRANSITIONS.get(from_state, frozenset())


def assignment_ends_with_round(state: str) -> bool:
    """Whether an assignment in ``state`` is still open, so that the end of its round ends it (``ended``)."""
    return assignment_may_become(state, A.ENDED)


def ends_with_lead_feedback(*, role: str, state: str) -> bool:
    """The lead's feedback closes the round: every other open share of that round ends with it."""
    return role != "lead" and assignment_ends_with_round(state)


def action_allowed_from(action: str, state: str) -> bool:
    return state in ACTIONS[action].from_states


def role_may(action: str, roles: Iterable[str]) -> bool:
    return bool(ACTIONS[action].roles.intersection(roles))


def follow_up_outcome(*, rating: str, resolved: bool | None, reached: bool) -> str:
    """What a follow-up leads to: "close", "redo" or "wait" (citizen not reached: try again later)."""
    if not reached:
        return "wait"
    if rating == "dissatisfied" or resolved is False:
        return "redo"
    return "close"


def worst_warning(levels: Iterable[str]) -> str:
    order = {"none": 0, "yellow": 1, "red": 2}
    return max(levels, key=lambda level: order.get(level, 0), default="none")
