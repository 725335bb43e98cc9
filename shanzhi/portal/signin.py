"""Citizen sign-in by phone number and a one-time code sent by SMS.

A code lives 5 minutes and only its hash is stored. Requests are limited per phone (one a minute, five an hour)
and per IP address; five wrong codes within 15 minutes lock the phone for 15 minutes. The verified phone is
then kept in the session (:mod:`shanzhi.portal.citizen`).

The code goes out through the notifications outbox. Its events are about appeals and have no sign-in code, so
:func:`_queue_code_message` writes the :class:`~shanzhi.notifications.models.OutboxMessage` itself (event
``otp``, a unique dedupe key per code) and asks :func:`shanzhi.notifications.services.enqueue_delivery` to send
it after commit; retries, the gateway and the dead-letter state are the outbox's as for every other message.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shanzhi.core import pii
from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications.models import OTP_EVENT, NotificationChannel, OutboxMessage, OutboxState
from shanzhi.notifications.services import enqueue_delivery
from shanzhi.portal import rules, throttle
from shanzhi.portal.models import OneTimeCode
from shanzhi.portal.throttle import RateLimited

logger = logging.getLogger("shanzhi.portal")

CODE_TEXT = _("您的登录验证码为 %(code)s，%(minutes)s 分钟内有效。如非本人操作请忽略，切勿告诉他人。")


@dataclass(frozen=True)
class CodeSent:
    expires_at: dt.datetime
    resend_after: dt.datetime


def mobile_or_refuse(raw: str) -> str:
    phone = pii.normalize_phone(raw or "")
    if not pii.MOBILE_RE.match(phone):
        raise ValidationFailed(_("请输入正确的 11 位手机号码"), code="invalid_mobile")
    return phone


def phone_digest(phone: str) -> str:
    return rules.digest("phone", phone)


def _check_not_locked(phone_hash: str, now: dt.datetime) -> None:
    locks = throttle.recent(bucket="otp_lock", key_hash=phone_hash, window=rules.LOCK_DURATION, now=now)
    if locks:
        until = rules.locked_until(lock_started=locks[-1])
        assert until is not None
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        raise RateLimited(
            _("验证码输错次数过多，该号码已锁定，请 %(n)s 分钟后再试") % {"n": minutes}, code="sign_in_locked"
        )


def otp_request(*, phone: str, ip_hash: str, now: dt.datetime) -> CodeSent:
    """Send a new code to ``phone`` (earlier unused codes stop working)."""
    phone = mobile_or_refuse(phone)
    phone_hash = phone_digest(phone)
    _check_not_locked(phone_hash, now)
    throttle.check(
        name="otp_phone_minute",
        bucket="otp_phone",
        key_hash=phone_hash,
        now=now,
        message=gettext("验证码已发送，请 %(wait)s后再重新获取"),
    )
    throttle.check(name="otp_phone_hour", bucket="otp_phone", key_hash=phone_hash, now=now)
    throttle.check(name="otp_ip_hour", bucket="otp_ip", key_hash=ip_hash, now=now)
    code = rules.new_sign_in_code()
    with transaction.atomic():
        throttle.hit(bucket="otp_phone", key_hash=phone_hash, now=now)
        throttle.hit(bucket="otp_ip", key_hash=ip_hash, now=now)
        OneTimeCode.objects.filter(phone_hash=phone_hash, consumed_at__isnull=True).update(consumed_at=now)
        otp = OneTimeCode.objects.create(
            phone_hash=phone_hash,
            code_hash=rules.code_hash(phone=phone, code=code),
            created_at=now,
            expires_at=now + rules.CODE_TTL,
        )
        _queue_code_message(otp=otp, phone=phone, code=code, now=now)
    logger.info("portal sign-in code issued to %s", pii.mask_phone(phone))
    return CodeSent(expires_at=otp.expires_at, resend_after=now + throttle.limit("otp_phone_minute").window)


def _queue_code_message(*, otp: OneTimeCode, phone: str, code: str, now: dt.datetime) -> OutboxMessage:
    with translation.override(settings.LANGUAGE_CODE):
        body = str(CODE_TEXT) % {"code": code, "minutes": int(rules.CODE_TTL.total_seconds() // 60)}
    message = OutboxMessage.objects.create(
        channel=NotificationChannel.SMS,
        recipient=phone,
        event=OTP_EVENT,
        appeal=None,
        body=body,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        dedupe_key=f"portal-otp:{otp.pk}",
        created_at=now,
    )
    transaction.on_commit(partial(enqueue_delivery, message.pk), robust=True)
    return message


def otp_verify(*, phone: str, code: str, ip_hash: str, now: dt.datetime) -> str:
    """The normalised phone when ``code`` is its current code; otherwise a coded refusal (counted)."""
    phone = mobile_or_refuse(phone)
    phone_hash = phone_digest(phone)
    _check_not_locked(phone_hash, now)
    throttle.check(name="verify_ip", bucket="verify_ip", key_hash=ip_hash, now=now)
    code = "".join((code or "").split())
    with transaction.atomic():
        throttle.hit(bucket="verify_ip", key_hash=ip_hash, now=now)
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, consumed_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if otp is None or rules.is_expired(expires_at=otp.expires_at, now=now):
            refusal: ValidationFailed | RateLimited = ValidationFailed(
                _("验证码已失效，请重新获取"), code="otp_expired"
            )
        elif rules.same_digest(otp.code_hash, rules.code_hash(phone=phone, code=code)):
            otp.consumed_at = now
            otp.save(update_fields=["consumed_at"])
            logger.info("portal sign-in verified for %s", pii.mask_phone(phone))
            return phone
        else:
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            refusal = _count_failure(phone_hash=phone_hash, now=now)
    raise refusal


def _count_failure(*, phone_hash: str, now: dt.datetime) -> ValidationFailed | RateLimited:
    throttle.hit(bucket="otp_fail", key_hash=phone_hash, now=now)
    fails = len(throttle.recent(bucket="otp_fail", key_hash=phone_hash, window=rules.LOCK_DURATION, now=now))
    if fails >= rules.MAX_WRONG_CODES:
        throttle.hit(bucket="otp_lock", key_hash=phone_hash, now=now)
        OneTimeCode.objects.filter(phone_hash=phone_hash, consumed_at__isnull=True).update(consumed_at=now)
        logger.warning("portal sign-in locked after %d wrong codes", fails)
        return RateLimited(
            _("验证码连续输错 %(n)s 次，该号码已锁定 %(m)s 分钟")
            % {"n": rules.MAX_WRONG_CODES, "m": int(rules.LOCK_DURATION.total_seconds() // 60)},
            code="sign_in_locked",
        )
    return ValidationFailed(
        _("验证码不正确，还可尝试 %(n)s 次") % {"n": rules.MAX_WRONG_CODES - fails}, code="otp_wrong"
    )
