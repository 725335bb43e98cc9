"""The pure rules: state transitions, rates, scores."""

from __future__ import annotations

from decimal import Decimal

from shanzhi.cogovern import rules


def test_demand_moves_only_forward_along_the_lists():
    assert rules.demand_may_move("submitted", "matched")
    assert rules.demand_may_move("matched", "in_project")
    assert rules.demand_may_move("in_project", "done")
    assert not rules.demand_may_move("submitted", "done")
    assert not rules.demand_may_move("done", "submitted")
    assert not rules.demand_may_move("declined", "matched")
    assert not rules.demand_may_move("unknown", "matched")


def test_project_states_and_what_the_demand_becomes():
    assert rules.project_may_move("planned", "running") and rules.project_may_move("running", "finished")
    assert not rules.project_may_move("planned", "finished")
    assert not rules.project_may_move("finished", "running")
    assert rules.demand_state_after_project("finished") == "done"
    assert rules.demand_state_after_project("cancelled") == "matched"


def test_resource_room_matched_rate_hours_and_the_checklist_score():
    assert rules.resource_has_room(capacity=2, open_projects=1, is_available=True)
    assert not rules.resource_has_room(capacity=2, open_projects=2, is_available=True)
    assert not rules.resource_has_room(capacity=2, open_projects=0, is_available=False)
    assert rules.matched_rate(demands=4, matched=3) == 0.75
    assert rules.matched_rate(demands=0, matched=0) is None
    assert rules.total_hours([Decimal("1.5"), Decimal("2")]) == Decimal("3.5")
    assert rules.checklist_score([(10, True), (10, False), (20, True)]) == 0.75
    assert rules.checklist_score([]) is None
    assert [rules.checklist_grade(s) for s in (0.95, 0.7, 0.2, None)] == ["达标", "基本达标", "未达标", "未评估"]
