"""Pure rules and template rendering: no database."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shanzhi.notifications import rules, templates_text
from shanzhi.notifications.models import NotificationChannel, NotificationEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _context(**overrides: Any) -> dict[str, str]:
    values: dict[str, Any] = {
        "tracking_no": "HB20261128-000123",
        "title": "小区路灯不亮",
        "due_at": None,
        "reply": "",
        "unit": "",
        "channel": NotificationChannel.SMS,
        "tz": SHANGHAI,
    }
    values.update(overrides)
    return templates_text.build_context(**values)


@pytest.mark.parametrize("event", NotificationEvent.values)
def test_every_event_has_a_default_that_renders_completely(event):
    text = templates_text.render(templates_text.default_text(event, "sms"), _context())
    assert "HB20261128-000123" in text
    assert "{" not in text and "}" not in text
    assert templates_text.template_problems(templates_text.default_text(event, "sms")) == []


def test_dispatched_text_names_unit_and_due_date_in_centre_time():
    # 17:00 UTC on 4 December is 01:00 on 5 December in Shanghai: the citizen's date is the 5th.
    context = _context(unit="区住房和城乡建设局", due_at=dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC))
    text = templates_text.render(templates_text.default_text("dispatched", "sms"), context)
    assert text == "您的诉求（编号HB20261128-000123）已转交区住房和城乡建设局办理，办理期限：2026年12月5日。"


def test_a_centre_working_in_english_sends_english_texts_and_dates(settings):
    """Texts go out in the centre's language (``LANGUAGE_CODE``), dates included, whatever the staff's own."""
    settings.LANGUAGE_CODE = "en"
    context = _context(unit="Housing Bureau", due_at=dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC))
    text = templates_text.render(templates_text.default_text("dispatched", "sms"), context)
    assert "Housing Bureau" in text and "Dec. 5, 2026" in text and "年" not in text


def test_missing_values_use_readable_fallbacks():
    text = templates_text.render(templates_text.default_text("dispatched", "sms"), _context())
    assert "已转交承办单位办理" in text and "办理期限：按规定时限" in text


def test_extra_fills_request_and_ignores_unknown_keys():
    context = _context(extra={"request": "现场照片\n和具体楼号", "password": "x"})
    assert context["request"] == "现场照片 和具体楼号"
    assert "password" not in context


def test_extra_accepts_the_names_callers_use():
    due = dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC)
    context = _context(extra={"question": "具体楼号", "reject_reason": "属司法程序", "due": due})
    assert (context["request"], context["reason"], context["due_date"]) == ("具体楼号", "属司法程序", "2026年12月5日")


def test_a_long_reply_given_in_extra_is_shortened_too():
    assert len(_context(extra={"reply": "答" * 500})["reply"]) == templates_text.SMS_REPLY_LIMIT


def test_long_reply_is_shortened_for_sms_but_not_for_the_portal():
    reply = "经现场核查，" + "已更换灯具并恢复供电。" * 40
    sms = _context(reply=reply)["reply"]
    portal = _context(reply=reply, channel=NotificationChannel.PORTAL)["reply"]
    assert len(sms) == templates_text.SMS_REPLY_LIMIT and sms.endswith("（全文请登录门户查看）")
    assert portal == reply


def test_title_is_shortened():
    assert len(_context(title="很" * 100)["title"]) == templates_text.TITLE_LIMIT


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("编号{tracking_no}，{phone}", "未知的占位符：{phone}"),
        ("编号{tracking_no", "花括号不成对"),
        ("   ", "模板内容不能为空"),
    ],
)
def test_template_problems_are_reported(body, problem):
    problems = templates_text.template_problems(body)
    assert problems and problem in problems[0]


def test_a_broken_override_falls_back_to_the_default():
    default = templates_text.default_text("received", "sms")
    for broken in ("编号{tracking_no", "{tracking_no.__class__}", "{0}"):
        assert templates_text.render(broken, _context(), fallback=default) == templates_text.render(default, _context())


def test_unknown_placeholder_in_an_override_renders_empty():
    assert templates_text.render("编号{tracking_no}{nonsense}。", _context()) == "编号HB20261128-000123。"


def test_escaped_braces_are_kept():
    assert templates_text.render("{{编号}}{tracking_no}", _context()) == "{编号}HB20261128-000123"


def test_retry_delay_doubles_from_one_minute_and_is_capped():
    delays = [rules.retry_delay(n) for n in range(1, 9)]
    assert [d.total_seconds() / 60 for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert rules.retry_delay(500) == rules.DEFAULT_RETRY_CAP
    assert rules.retry_delay(3, base=dt.timedelta(seconds=10), cap=dt.timedelta(seconds=25)) == dt.timedelta(seconds=25)


def test_gives_up_at_max_attempts():
    assert not rules.gives_up(2, 3)
    assert rules.gives_up(3, 3)


@pytest.mark.parametrize(
    ("phone", "wants_reply", "event", "channel", "reason"),
    [
        ("13812345678", True, "accepted", "sms", None),
        ("", True, "received", "sms", "no_phone"),
        ("13812345678", False, "accepted", "sms", "no_reply_wanted"),
        ("13812345678", False, "replied", "sms", "no_reply_wanted"),
        ("13812345678", False, "received", "sms", None),
        ("13812345678", False, "needs_info", "sms", None),
        ("0473-1234567", True, "received", "sms", "not_a_mobile"),
        ("0473-1234567", True, "received", "portal", None),
    ],
)
def test_skip_reason(phone, wants_reply, event, channel, reason):
    assert rules.skip_reason(phone=phone, wants_reply=wants_reply, event=event, channel=channel) == reason


def test_error_notes_never_carry_phone_or_id_numbers():
    note = rules.safe_error_note("gateway_refused", "13812345678 is blacklisted; id 150302199001011234")
    assert "13812345678" not in note and "150302199001011234" not in note
    assert note.startswith("gateway_refused: *** is blacklisted")
    assert len(rules.safe_error_note("x", "y" * 1000)) == 300
