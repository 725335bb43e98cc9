"""The portal's 消息通知 lists the SMS the centre sent about the citizen's appeals — a caller who rang the hotline and
signs in later with the same phone reads them — once each, never another phone's, never a sign-in code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.core import clock
from shanzhi.notifications.delivery import outbox_deliver
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal.citizen import PHONE_KEY, Citizen
from shanzhi.portal.selectors import inbox

from .conftest import PHONE_A, PHONE_B

pytestmark = pytest.mark.django_db


def signed_in(client, phone: str):
    session = client.session
    session[PHONE_KEY] = phone
    session.save()
    return client


def test_a_hotline_callers_sms_are_in_their_portal_inbox(client, desk, intake):
    appeal = intake(citizen_phone=PHONE_A)  # a hotline call: SMS only, no portal message
    other = intake(citizen_phone=PHONE_B, content="另一位市民的诉求")
    outbox_deliver(now=clock.now())
    sms = OutboxMessage.objects.filter(appeal=appeal, channel="sms", state="sent")
    assert sms.exists() and not OutboxMessage.objects.filter(appeal=appeal, channel="portal").exists()
    html = signed_in(client, PHONE_A).get(reverse("portal:me")).content.decode()
    assert appeal.tracking_no in html and sms.first().body in html
    assert other.tracking_no not in html  # the positive control's counterpart: another phone's messages
    assert "暂无消息" not in html


def test_a_portal_appeal_is_listed_once_and_codes_never(desk, citizen_a, submit):
    appeal = submit(citizen_a)
    OutboxMessage.objects.create(
        recipient=PHONE_A,
        event="otp",
        body="验证码 ******",
        channel="sms",
        state="sent",
        created_at=clock.now(),
        sent_at=clock.now(),
    )
    outbox_deliver(now=clock.now())
    assert set(OutboxMessage.objects.filter(appeal=appeal).values_list("channel", flat=True)) == {"sms", "portal"}
    shown = inbox(citizen=Citizen(phone=PHONE_A))
    bodies = [m.body for m in shown]
    assert len(bodies) == len(set(bodies)) >= 1
    assert all(m.appeal_id == appeal.pk for m in shown)


def test_messages_not_yet_sent_wait(desk, intake):
    intake(citizen_phone=PHONE_A)
    citizen = Citizen(phone=PHONE_A)
    assert OutboxMessage.objects.filter(recipient=PHONE_A, state="pending").exists()
    assert inbox(citizen=citizen) == []
    outbox_deliver(now=clock.now())
    assert len(inbox(citizen=citizen)) == 1


def test_with_debug_off_the_embedded_log_shows_the_sign_in_text(settings, caplog):
    """`make run` has no SMS gateway and DEBUG off: the tester reads the portal's sign-in code in the server log."""
    import logging

    from shanzhi.notifications.backends import LogBackend

    settings.DEBUG = False
    message = OutboxMessage.objects.create(
        recipient=PHONE_A, event="otp", body="您的登录验证码 654321", channel="sms", created_at=clock.now()
    )
    with caplog.at_level(logging.INFO, logger="shanzhi.notifications"):
        LogBackend().send(message)
    assert "654321" in caplog.text and PHONE_A not in caplog.text
