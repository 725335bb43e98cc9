"""The pure transition table, checked against DESIGN §4 written out here as literal tables (not read back from
``rules.ACTIONS``): which states each action starts from, where it leads, and who may take it."""

import pytest

from shanzhi.appeals import rules
from shanzhi.appeals.models import AppealState
from shanzhi.appeals.principals import PRINCIPALS
from shanzhi.orgs.models import Role

ALL_STATES = list(AppealState.values)

# DESIGN §4: received → accepted → dispatched → in_progress → feedback → replied → closed, the side exits
# (needs_info, rejected, answered, merged) and the loops (redo, reopen). Action → the states it may start from.
ALLOWED_FROM: dict[str, set[str]] = {
    "accept": {"received"},
    "reject": {"received", "accepted"},
    "answer": {"received", "accepted"},
    "request_info": {"received", "accepted"},
    "supply_info": {"needs_info"},
    "dispatch": {"accepted"},
    "merge": {"received", "accepted", "dispatched"},
    "sign": {"dispatched", "in_progress"},
    "contact": {"in_progress"},
    "feedback": {"in_progress"},
    "request": {"dispatched", "in_progress"},
    "decide_request": {"dispatched", "in_progress"},
    "reply": {"feedback"},
    "redo": {"feedback", "replied"},
    "follow_up": {"replied"},
    "close": {"replied"},
    "reopen": {"closed"},
    "withdraw": {"received", "accepted", "dispatched", "in_progress"},
}

# Where the action leads (None: the service decides — resume where it was, the lead's feedback, the outcome).
LEADS_TO: dict[str, str | None] = {
    "accept": "accepted",
    "reject": "rejected",
    "answer": "answered",
    "request_info": "needs_info",
    "supply_info": None,
    "dispatch": "dispatched",
    "merge": "merged",
    "sign": "in_progress",
    "contact": None,
    "feedback": None,
    "request": None,
    "decide_request": None,
    "reply": "replied",
    "redo": "dispatched",
    "follow_up": None,
    "close": "closed",
    "reopen": "dispatched",
    "withdraw": "closed",
}

CENTRE_DESK = {"operator", "dispatcher", "leader", "admin"}
DISPATCH = {"dispatcher", "leader", "admin"}
UNIT_WORK = {"handler", "unit_head", "grid_worker"}

# Who may take it: staff roles, and the named principals (the citizen, the platform's own processes).
MAY_TAKE: dict[str, set[str]] = {
    "accept": CENTRE_DESK,
    "reject": CENTRE_DESK,
    "answer": CENTRE_DESK,
    "request_info": CENTRE_DESK,
    "supply_info": CENTRE_DESK | {"integration", "citizen"},
    "dispatch": DISPATCH,
    "merge": DISPATCH | {"operator"},
    "sign": UNIT_WORK,
    "contact": UNIT_WORK,
    "feedback": UNIT_WORK,
    "request": UNIT_WORK,
    "decide_request": DISPATCH,
    "reply": CENTRE_DESK,
    "redo": DISPATCH | {"system:grid_verification"},
    "follow_up": CENTRE_DESK | {"citizen"},
    "close": CENTRE_DESK,
    "reopen": DISPATCH | {"citizen", "system:grid_verification"},
    "withdraw": {"system:iot"},
}

EVERYONE = sorted(set(Role.values) | set(PRINCIPALS))


def test_the_table_has_exactly_the_actions_of_the_design():
    assert set(rules.ACTIONS) == set(ALLOWED_FROM) == set(LEADS_TO) == set(MAY_TAKE)


@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
@pytest.mark.parametrize("state", ALL_STATES)
def test_action_allowed_exactly_from_the_designed_states(action, state):
    assert rules.action_allowed_from(action, state) is (state in ALLOWED_FROM[action])


@pytest.mark.parametrize("action", sorted(LEADS_TO))
def test_action_leads_where_the_design_says(action):
    assert rules.ACTIONS[action].to_state == LEADS_TO[action]


@pytest.mark.parametrize("action", sorted(MAY_TAKE))
@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_designed_roles_and_principals_may_take_an_action(action, who):
    assert rules.role_may(action, {who}) is (who in MAY_TAKE[action])


@pytest.mark.parametrize("state", ["rejected", "answered", "merged"])
def test_final_states_allow_nothing(state):
    assert [a for a in rules.ACTIONS if rules.action_allowed_from(a, state)] == []


def test_closed_allows_only_reopening():
    assert [a for a in rules.ACTIONS if rules.action_allowed_from(a, "closed")] == ["reopen"]


def test_system_processes_other_than_verification_take_no_action():
    for code in ("system:sweep", "system:exchange", "system:proactive"):
        assert [a for a in rules.ACTIONS if rules.role_may(a, {code})] == []
    # The IoT process takes exactly one: withdrawing the work of an alarm found false.
    assert [a for a in rules.ACTIONS if rules.role_may(a, {"system:iot"})] == ["withdraw"]


@pytest.mark.parametrize(
    ("rating", "resolved", "reached", "outcome"),
    [
        ("satisfied", True, True, "close"),
        ("fairly_satisfied", True, True, "close"),
        ("fairly_satisfied", None, True, "close"),
        ("dissatisfied", True, True, "redo"),
        ("satisfied", False, True, "redo"),
        ("", None, False, "wait"),
    ],
)
def test_follow_up_outcome(rating, resolved, reached, outcome):
    assert rules.follow_up_outcome(rating=rating, resolved=resolved, reached=reached) == outcome


def test_worst_warning():
    assert rules.worst_warning(["none", "yellow", "none"]) == "yellow"
    assert rules.worst_warning(["yellow", "red"]) == "red"
    assert rules.worst_warning([]) == "none"
