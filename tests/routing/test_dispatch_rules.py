"""Catalogue precedence (pure) and the territorial default."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.routing.rules import (
    RuleCandidate,
    choose_rule,
    condition_count,
    rule_applies,
    split_words,
    territorial_lead,
)


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


# --- conditions: keywords, channel, time ---------------------------------------------------------------------

MON_10 = dt.datetime(2026, 11, 30, 10, 0)  # a Monday
SAT_23 = dt.datetime(2026, 11, 28, 23, 30)  # a Saturday night


def applies(**kw):
    base = {"keywords": (), "channels": (), "weekdays": "", "start": None, "end": None, "text": "",
            "channel": "hotline", "local_time": MON_10}  # fmt: skip
    return rule_applies(**{**base, **kw})


def test_keywords_channel_and_weekday_must_all_hold():
    assert applies(keywords=("燃气", "煤气"), text="闻到煤气味")
    assert not applies(keywords=("燃气",), text="路灯坏了")
    assert applies(channels=("iot", "grid"), channel="iot")
    assert not applies(channels=("iot",), channel="hotline")
    assert applies(weekdays="12345") and not applies(weekdays="12345", local_time=SAT_23)


def test_time_window_may_cross_midnight():
    night = {"start": dt.time(18, 0), "end": dt.time(8, 30)}
    assert applies(**night, local_time=SAT_23)
    assert not applies(**night, local_time=MON_10)
    assert applies(start=dt.time(8, 30), end=dt.time(18, 0), local_time=MON_10)


def test_more_conditions_win_before_area_and_priority():
    plain = c(1, area_depth=4, priority=9)
    keyworded = RuleCandidate(rule_id=2, category_depth=0, area_depth=None, priority=0, conditions=1)
    assert choose_rule([plain, keyworded]).rule_id == 2
    assert condition_count(keywords=("a",), channels=("iot",), weekdays="", timed=True) == 3


def test_split_words_accepts_chinese_separators():
    assert split_words("燃气，煤气、天然气 液化气") == ("燃气", "煤气", "天然气", "液化气")


@pytest.mark.django_db
def test_night_rule_for_a_channel_beats_the_day_rule(district):
    from shanzhi.core import clock
    from shanzhi.routing.models import Category, DispatchRule
    from shanzhi.routing.services import dispatch_plan

    gas = Category.objects.create(code="77", name="燃气安全")
    DispatchRule.objects.create(category=gas, lead_unit=district.dept_housing)
    night = DispatchRule.objects.create(
        category=gas,
        lead_unit=district.dept_urban,
        keywords="燃气 煤气",
        start_time=dt.time(18, 0),
        end_time=dt.time(8, 30),
    )
    tz = clock.centre_tz()
    at_night = dt.datetime(2026, 11, 28, 23, 30, tzinfo=tz)
    by_day = dt.datetime(2026, 11, 30, 10, 0, tzinfo=tz)
    plan = dispatch_plan(category=gas, area=district.grid_a, text="楼道里闻到煤气味", at=at_night)
    assert plan.lead_unit == district.dept_urban and plan.rule_id == night.pk
    assert dispatch_plan(category=gas, area=district.grid_a, text="楼道里闻到煤气味", at=by_day).lead_unit == (
        district.dept_housing
    )
    assert dispatch_plan(category=gas, area=district.grid_a, text="路灯坏了", at=at_night).lead_unit == (
        district.dept_housing
    )
