"""Pure display rules: the countdown's text and colour, status tag tones."""

from __future__ import annotations

import datetime as dt

from shanzhi.console import display

NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)


def test_no_deadline():
    assert display.time_left(due_at=None, now=NOW).level == "none"


def test_plenty_of_time_is_ok():
    left = display.time_left(due_at=NOW + dt.timedelta(days=3, hours=2), now=NOW, start=NOW - dt.timedelta(hours=1))
    assert left.level == "ok"
    assert left.text == "剩余 3天2小时"


def test_amber_in_the_last_quarter_of_the_limit():
    start = NOW - dt.timedelta(hours=80)
    left = display.time_left(due_at=NOW + dt.timedelta(hours=20), now=NOW, start=start)
    assert left.level == "amber"
    assert left.text == "剩余 20小时0分"


def test_amber_from_the_warning_point_when_known():
    due = NOW + dt.timedelta(days=4)
    assert display.time_left(due_at=due, now=NOW, warn_at=NOW + dt.timedelta(minutes=1)).level == "ok"
    assert display.time_left(due_at=due, now=NOW, warn_at=NOW - dt.timedelta(minutes=1)).level == "amber"


def test_cards_override_the_arithmetic():
    due = NOW + dt.timedelta(days=4)
    assert display.time_left(due_at=due, now=NOW, warning="yellow").level == "amber"
    assert display.time_left(due_at=due, now=NOW, warning="red").level == "red"


def test_overdue_is_red_and_says_by_how_much():
    left = display.time_left(due_at=NOW - dt.timedelta(minutes=45), now=NOW)
    assert left.level == "red"
    assert left.text == "超期 45分钟"
    assert left.seconds is not None and left.seconds < 0


def test_without_start_or_warning_point_the_last_day_is_amber():
    assert display.time_left(due_at=NOW + dt.timedelta(hours=23), now=NOW).level == "amber"
    assert display.time_left(due_at=NOW + dt.timedelta(hours=25), now=NOW).level == "ok"
    assert display.humanize_duration(dt.timedelta(seconds=20)) == "不到1分钟"


def test_status_tones_follow_the_design():
    assert display.state_tone("pending", assignment=True) == "blue"
    assert display.state_tone("in_progress") == "teal"
    assert display.state_tone("signed", assignment=True) == "teal"
    assert display.state_tone("closed") == "grey"
    assert display.WARNING_TONES == {"yellow": "amber", "red": "red"}
