"""The urgency suggested at intake: the category's default, raised by words of danger, never lowered."""

from __future__ import annotations

from shanzhi.routing.urgency import urgency_suggest


def test_default_without_words_of_danger():
    hint = urgency_suggest("小区门口路灯不亮", "ordinary")
    assert (hint.urgency, hint.raised, hint.reason) == ("ordinary", False, "分类默认")


def test_danger_raises_to_emergency_and_names_the_word():
    hint = urgency_suggest("楼道里闻到燃气泄漏的味道", "ordinary")
    assert hint.urgency == "emergency" and hint.raised and "燃气泄漏" in hint.reason


def test_a_day_that_cannot_wait_is_urgent_but_never_lowers_an_emergency():
    assert urgency_suggest("整栋楼停水了", "ordinary").urgency == "urgent"
    assert urgency_suggest("整栋楼停水了", "emergency").urgency == "emergency"
    assert urgency_suggest("整栋楼停水了", "bogus").urgency == "urgent"
    assert urgency_suggest("", "complex").urgency == "complex"
