"""The pure transition table: each action is allowed from exactly its source states, and only for its roles."""

import pytest

from shanzhi.appeals import rules
from shanzhi.appeals.models import AppealState

ALL_STATES = list(AppealState.values)


@pytest.mark.parametrize("action", list(rules.ACTIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_action_allowed_exactly_from_its_states(action, state):
    expected = state in rules.ACTIONS[action].from_states
    assert rules.action_allowed_from(action, state) is expected


@pytest.mark.parametrize("state", ["rejected", "answered", "merged"])
def test_final_states_allow_nothing(state):
    assert [a for a in rules.ACTIONS if rules.action_allowed_from(a, state)] == []


def test_closed_allows_only_reopening():
    assert [a for a in rules.ACTIONS if rules.action_allowed_from(a, "closed")] == ["reopen"]


def test_unit_roles_cannot_take_centre_actions():
    for action in ("accept", "dispatch", "reply", "follow_up", "close", "merge", "decide_request"):
        assert not rules.role_may(action, {"handler", "unit_head", "grid_worker"})


def test_centre_desk_cannot_take_unit_actions():
    for action in ("sign", "feedback", "request", "contact"):
        assert not rules.role_may(action, {"operator", "dispatcher", "leader"})


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
