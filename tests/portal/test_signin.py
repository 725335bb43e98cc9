"""Sign-in by phone and one-time code: expiry, lockout after five wrong codes, limits per phone and per IP."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal.models import OneTimeCode
from shanzhi.portal.signin import otp_request, otp_verify
from shanzhi.portal.throttle import RateLimited

pytestmark = pytest.mark.django_db

PHONE = "13800001111"
IP = "ip-1"


def sent_code(phone: str = PHONE) -> str:
    message = OutboxMessage.objects.filter(recipient=phone, event="otp").order_by("-id").first()
    assert message is not None
    match = re.search(r"\d{6}", message.body)
    assert match
    return match.group(0)


def test_code_is_sent_through_the_outbox_and_only_its_hash_is_stored():
    now = clock.now()
    sent = otp_request(phone="138 0000 1111", ip_hash=IP, now=now)
    assert sent.expires_at == now + dt.timedelta(minutes=5)
    code = sent_code()
    message = OutboxMessage.objects.get(event="otp")
    assert message.channel == "sms" and message.state in ("pending", "sent")
    assert message.get_event_display() == "登录验证码"  # a known event in the admin's outbox list, not a raw code
    message.full_clean()
    assert (message.dedupe_key or "").startswith("portal-otp:")
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and PHONE not in stored.phone_hash
    assert otp_verify(phone=PHONE, code=code, ip_hash=IP, now=now + dt.timedelta(minutes=1)) == PHONE
    # A code works once.
    with pytest.raises(ValidationFailed) as used:
        otp_verify(phone=PHONE, code=code, ip_hash=IP, now=now + dt.timedelta(minutes=2))
    assert used.value.code == "otp_expired"


def test_code_expires_after_five_minutes():
    now = clock.now()
    otp_request(phone=PHONE, ip_hash=IP, now=now)
    with pytest.raises(ValidationFailed) as expired:
        otp_verify(phone=PHONE, code=sent_code(), ip_hash=IP, now=now + dt.timedelta(minutes=5, seconds=1))
    assert expired.value.code == "otp_expired"


def test_a_new_code_replaces_the_old_one():
    now = clock.now()
    otp_request(phone=PHONE, ip_hash=IP, now=now)
    first = sent_code()
    otp_request(phone=PHONE, ip_hash=IP, now=now + dt.timedelta(minutes=2))
    second = sent_code()
    later = now + dt.timedelta(minutes=3)
    if first != second:
        with pytest.raises(ValidationFailed):
            otp_verify(phone=PHONE, code=first, ip_hash=IP, now=later)
    assert otp_verify(phone=PHONE, code=second, ip_hash=IP, now=later) == PHONE


def test_five_wrong_codes_lock_the_phone_for_fifteen_minutes():
    now = clock.now()
    otp_request(phone=PHONE, ip_hash=IP, now=now)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 5):
        with pytest.raises(ValidationFailed) as refused:
            otp_verify(phone=PHONE, code=wrong, ip_hash=IP, now=now + dt.timedelta(seconds=attempt))
        assert refused.value.code == "otp_wrong"
        assert f"还可尝试 {5 - attempt} 次" in str(refused.value.message)
    with pytest.raises(RateLimited) as locked:
        otp_verify(phone=PHONE, code=wrong, ip_hash=IP, now=now + dt.timedelta(seconds=5))
    assert locked.value.code == "sign_in_locked"
    # Locked: even the right code and a new code are refused.
    with pytest.raises(RateLimited):
        otp_verify(phone=PHONE, code=code, ip_hash=IP, now=now + dt.timedelta(minutes=1))
    with pytest.raises(RateLimited) as no_new_code:
        otp_request(phone=PHONE, ip_hash=IP, now=now + dt.timedelta(minutes=14))
    assert no_new_code.value.code == "sign_in_locked"
    # Another phone is not affected.
    otp_request(phone="13900002222", ip_hash="ip-2", now=now + dt.timedelta(minutes=1))
    # After 15 minutes the phone may sign in again.
    after = now + dt.timedelta(minutes=15, seconds=6)
    otp_request(phone=PHONE, ip_hash=IP, now=after)
    assert otp_verify(phone=PHONE, code=sent_code(), ip_hash=IP, now=after) == PHONE


def test_code_requests_are_limited_per_phone():
    now = clock.now()
    otp_request(phone=PHONE, ip_hash="ip-a", now=now)
    with pytest.raises(RateLimited) as too_soon:
        otp_request(phone=PHONE, ip_hash="ip-b", now=now + dt.timedelta(seconds=30))
    assert "后再重新获取" in str(too_soon.value.message)
    for minute in range(1, 5):
        otp_request(phone=PHONE, ip_hash=f"ip-{minute}", now=now + dt.timedelta(minutes=minute, seconds=1))
    with pytest.raises(RateLimited):  # the sixth within the hour
        otp_request(phone=PHONE, ip_hash="ip-x", now=now + dt.timedelta(minutes=10))
    otp_request(phone=PHONE, ip_hash="ip-x", now=now + dt.timedelta(hours=1, seconds=1))
    assert OutboxMessage.objects.filter(event="otp").count() == 6


def test_code_requests_are_limited_per_ip():
    now = clock.now()
    for n in range(20):
        otp_request(phone=f"1380000{n:04d}", ip_hash=IP, now=now + dt.timedelta(seconds=n))
    with pytest.raises(RateLimited):
        otp_request(phone="13700009999", ip_hash=IP, now=now + dt.timedelta(minutes=1))
    otp_request(phone="13700009999", ip_hash="another-ip", now=now + dt.timedelta(minutes=1))


def test_code_checks_are_limited_per_ip(settings):
    settings.SHANZHI_PORTAL_LIMITS = {"verify_ip": (3, 900)}
    now = clock.now()
    for n in range(3):
        otp_request(phone=f"1380000{n:04d}", ip_hash=IP, now=now)
        with pytest.raises(ValidationFailed):
            otp_verify(phone=f"1380000{n:04d}", code="999999x", ip_hash=IP, now=now)
    with pytest.raises(RateLimited):
        otp_verify(phone="13800000000", code="123456", ip_hash=IP, now=now)


@pytest.mark.parametrize("phone", ["", "12345", "010-12345678", "23800001111"])
def test_only_mobile_numbers_get_codes(phone):
    with pytest.raises(ValidationFailed) as refused:
        otp_request(phone=phone, ip_hash=IP, now=clock.now())
    assert refused.value.code == "invalid_mobile"
    assert not OutboxMessage.objects.exists()
