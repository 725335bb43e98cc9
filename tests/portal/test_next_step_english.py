"""The portal's "next step" sentence is in one language: English throughout (limits, dates, the final ".") for a
citizen who switched to English, and exactly the Chinese of before under the default language."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from shanzhi.appeals.models import AppealState
from shanzhi.core import clock
from shanzhi.portal import selectors
from shanzhi.portal.citizen import PHONE_KEY
from shanzhi.sla import rules, services

from .conftest import PHONE_A

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.centre_tz()).date()


def _next_step(appeal, language: str) -> str:
    with translation.override(language):
        return selectors.next_step(appeal=appeal, now=clock.now())


def test_dispatched_appeal_in_english_and_in_chinese(citizen_a, submit):
    appeal = submit(citizen_a)
    assert appeal.state == AppealState.DISPATCHED and appeal.due_at is not None
    day = _local_day(appeal.due_at)
    no = appeal.tracking_no

    english = _next_step(appeal, "en")
    assert not CJK.search(english), english
    assert english.endswith(".")
    assert english == (
        f"Accepted as {no}; expect a reply within 5 working days (by {day.day} {MONTHS[day.month - 1]} {day.year})."
    )

    chinese = _next_step(appeal, "zh-hans")
    assert chinese == f"已受理，编号 {no}，预计 5 个工作日内答复（{day.year}年{day.month}月{day.day}日 前）。"


def test_dispatched_appeal_without_a_due_date(citizen_a, submit):
    appeal = submit(citizen_a)
    appeal.due_at = None
    no = appeal.tracking_no
    assert _next_step(appeal, "en") == f"Accepted as {no}; expect a reply within 5 working days."
    assert _next_step(appeal, "zh-hans") == f"已受理，编号 {no}，预计 5 个工作日内答复。"


def test_replied_appeal_gives_the_reopen_date_in_the_citizens_language(citizen_a, submit, handle):
    appeal = handle(submit(citizen_a))
    assert appeal.state == AppealState.REPLIED
    deadline = selectors.rules.reopen_deadline(replied_at=appeal.replied_at, days=selectors.reopen_days())
    assert deadline is not None
    day = _local_day(deadline)

    english = _next_step(appeal, "en")
    assert not CJK.search(english), english
    assert english.endswith(f"before {day.day} {MONTHS[day.month - 1]} {day.year}.")

    chinese = _next_step(appeal, "zh-hans")
    assert f"可在 {day.year}年{day.month}月{day.day}日 前申请重新办理。" in chinese
    assert chinese.endswith("。")


def test_due_date_text_follows_the_language():
    moment = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)  # 10:00 in the centre's time zone
    with translation.override("zh-hans"):
        assert selectors.due_date_text(moment) == "2026年11月28日"
    with translation.override("en"):
        assert selectors.due_date_text(moment) == "28 Nov 2026"
    assert selectors.due_date_text(None) == ""


@pytest.mark.parametrize(
    ("amount", "unit", "chinese", "english"),
    [
        ("5", rules.TimeUnit.WORKING_DAYS, "5 个工作日", "5 working days"),
        ("1", rules.TimeUnit.WORKING_DAYS, "1 个工作日", "1 working day"),
        ("8", rules.TimeUnit.WORKING_HOURS, "8 个工作小时", "8 working hours"),
        ("1", rules.TimeUnit.WORKING_HOURS, "1 个工作小时", "1 working hour"),
        ("24", rules.TimeUnit.NATURAL_HOURS, "24 小时", "24 hours"),
        ("1", rules.TimeUnit.NATURAL_HOURS, "1 小时", "1 hour"),
        ("0.5", rules.TimeUnit.NATURAL_HOURS, "0.5 小时", "0.5 hours"),
        ("1.50", rules.TimeUnit.WORKING_DAYS, "1.5 个工作日", "1.5 working days"),
    ],
)
def test_limits_as_text_is_translated(amount, unit, chinese, english):
    limit = rules.Limit(Decimal(amount), unit)
    limits = rules.PolicyLimits(sign=limit, contact=limit, handle=limit, reply=limit, follow_up=limit)
    with translation.override("zh-hans"):
        assert services.limits_as_text(limits)["handle"] == chinese
    with translation.override("en"):
        assert services.limits_as_text(limits)["handle"] == english


def test_detail_page_in_english(client, citizen_a, submit):
    appeal = submit(citizen_a)
    session = client.session
    session[PHONE_KEY] = PHONE_A
    session.save()
    # LocaleMiddleware activates the request's language for the whole thread; keep it from leaking into later tests.
    with translation.override(settings.LANGUAGE_CODE):
        client.post(reverse("set_language"), {"language": "en", "next": "/m/"})
        html = client.get(reverse("portal:appeal", args=[appeal.tracking_no])).content.decode()
    sentence = re.search(r'<p id="next-step">([^<]*)</p>', html)
    assert sentence is not None
    assert not CJK.search(sentence.group(1)), sentence.group(1)
    assert sentence.group(1).endswith(".")
