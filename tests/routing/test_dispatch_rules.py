"""Catalogue precedence (pure) and the territorial default."""

from __future__ import annotations

import pytest

from shanzhi.routing.rules import RuleCandidate, choose_rule, territorial_lead


def c(rule_id, category_depth=0, area_depth=None, priority=0):
    return RuleCandidate(rule_id=rule_id, category_depth=category_depth, area_depth=area_depth, priority=priority)


def test_nearest_category_wins_over_area_and_priority():
    assert choose_rule([c(1, category_depth=1, area_depth=3, priority=9), c(2, category_depth=0)]).rule_id == 2


def test_smaller_area_wins_for_the_same_category():
    assert choose_rule([c(1), c(2, area_depth=2), c(3, area_depth=3)]).rule_id == 3


def test_priority_then_id_break_ties():
    assert choose_rule([c(5, priority=1), c(4, priority=2)]).rule_id == 4
    assert choose_rule([c(5), c(4)]).rule_id == 4


def test_no_candidates():
    assert choose_rule([]) is None


CHAIN = [("grid", "g", True), ("community", "c", True), ("town", "t", True), ("district", "d", True)]


@pytest.mark.parametrize(("level", "index"), [("community", 1), ("town", 2)])
def test_territorial_lead_level(level, index):
    assert territorial_lead(CHAIN, level) == index


def test_territorial_lead_skips_unusable_units():
    chain = [("grid", "g", True), ("community", "c", False), ("town", "t", False), ("district", "d", True)]
    assert territorial_lead(chain, "community") == 3


def test_grid_is_never_the_lead():
    assert territorial_lead([("grid", "g", True)], "community") is None
