"""notify_subject: a notice about a subject other than an appeal (a registered event), through the same outbox —
the rendered text, the admin's override, dedupe, skip rules, and nothing left when the caller rolls back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications import kinds, templates_text
from shanzhi.notifications.models import NotificationTemplate, OutboxMessage, OutboxState, outbox_event_choices
from shanzhi.notifications.services import notify_subject

from .conftest import PHONE, T0

pytestmark = pytest.mark.django_db

EVENT = "test_visit"


@pytest.fixture(autouse=True)
def _registered(time_machine):
    time_machine.move_to(T0, tick=False)
    placeholders = {"who": "来访人", "when": "时间"}
    kinds.register_subject_event(EVENT, "上门提醒", "您好，{who}将于{when}上门。{portal_url}", placeholders)
    yield
    kinds._subject_events.pop(EVENT, None)


def _notify(**kw):
    values = {"subject_type": "test.visit", "subject_id": 7, "phone": PHONE, "event": EVENT,
              "values": {"who": "网格员", "when": "明天 10:00", "tracking_no": "HB-x"}}  # fmt: skip
    return notify_subject(**{**values, **kw})


def test_a_registered_notice_is_queued_for_its_subject():
    message = _notify()
    assert message is not None
    message.refresh_from_db()
    assert message.appeal is None and (message.subject_type, message.subject_id) == ("test.visit", "7")
    assert message.body.startswith("您好，网格员将于明天 10:00上门。")
    assert message.state == OutboxState.PENDING and message.recipient == PHONE
    assert message.dedupe_key == f"test.visit:7:{EVENT}:sms:"
    assert (EVENT, "上门提醒") in outbox_event_choices()
    assert _notify() is None and OutboxMessage.objects.count() == 1  # the same notice once
    assert _notify(channel="portal") is not None and OutboxMessage.objects.count() == 2


def test_unknown_events_no_phone_and_landlines():
    with pytest.raises(ValidationFailed):
        _notify(event="received")  # an appeal event is not a subject's notice
    assert _notify(phone="") is None
    assert _notify(phone="0473-3912345") is None  # no SMS to a landline
    assert not OutboxMessage.objects.exists()


def test_the_admins_template_overrides_and_is_checked_against_the_notices_placeholders():
    NotificationTemplate.objects.create(event=EVENT, channel="sms", body="{who}来访：{when}")
    assert _notify().body == "网格员来访：明天 10:00"
    assert templates_text.default_text(EVENT, "sms").startswith("您好，{who}")
    bad = NotificationTemplate(event=EVENT, channel="portal", body="{tracking_no}")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_nothing_is_left_when_the_caller_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify()
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_codes_are_checked_when_registered():
    for code in ("received", "otp", "x" * 17, ""):
        with pytest.raises(ValueError):
            kinds.register_subject_event(code, "x", "x")
