"""TOTP two-factor sign-in for staff (RFC 6238: 30-second steps, 6 digits, SHA-1 — what every authenticator app
speaks), with one-time recovery codes. ADR 0028.

- Who needs it: :func:`shanzhi.orgs.permissions.must_use_two_factor` (administrators and whoever may see personal
  data). Whether it is enforced: the setting ``SHANZHI_TWO_FACTOR_REQUIRED`` (on in production, off in the embedded
  demo so that ``make run`` users sign in with the password alone). Someone who enrolled is always asked for a code.
- The secret is encrypted at rest (:func:`shanzhi.core.pii.encrypt`, the field keys with rotation); recovery codes
  are stored as keyed hashes only, each usable once; a code's time step is never accepted twice (replay).
- Codes are checked against the current step and one step either side (clock drift of up to 30 s).

Every enrolment, recovery-code use, reset and failed code goes to the audit chain.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock, pii
from shanzhi.core.audit import audit_record
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import RecoveryCode, TwoFactorDevice, User
from shanzhi.orgs.permissions import must_use_two_factor

ISSUER = "善治 Shanzhi"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


# --- policy -----------------------------------------------------------------------------------------------------


def is_enforced() -> bool:
    return bool(getattr(settings, "SHANZHI_TWO_FACTOR_REQUIRED", False))


def confirmed_device(user: User) -> TwoFactorDevice | None:
    if not user.is_authenticated:
        return None
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def needs_code(user: User) -> bool:
    """Signing in asks ``user`` for a code: they enrolled."""
    return confirmed_device(user) is not None


def must_enrol(user: User) -> bool:
    """``user`` may not use the console until they enrol (required for them, enforced, not enrolled)."""
    return is_enforced() and must_use_two_factor(user) and not needs_code(user)


# --- pure rules -------------------------------------------------------------------------------------------------


def time_step(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 30


def code_at(secret: str, step: int) -> str:
    """The code of ``secret`` for time step ``step`` (what the authenticator shows then)."""
    return str(pyotp.TOTP(secret).generate_otp(step))


def matching_step(secret: str, code: str, *, now: dt.datetime, after_step: int) -> int | None:
    """The step within the drift window whose code is ``code`` and that comes after ``after_step``, else None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    return salted_hmac("shanzhi.two_factor.recovery", normalize_recovery_code(code), algorithm="sha256").hexdigest()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


# --- enrolment --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: TwoFactorDevice
    secret: str  # base32, for the QR code and for typing in by hand

    @property
    def provisioning_uri(self) -> str:
        return pyotp.TOTP(self.secret).provisioning_uri(name=self.device.user.get_username(), issuer_name=ISSUER)


def device_secret(device: TwoFactorDevice) -> str:
    return pii.decrypt(device.secret_enc)


@transaction.atomic
def two_factor_enrol_start(*, user: User) -> Enrolment:
    """The pending enrolment of ``user`` (a new secret, or the one already waiting for its first code). An
    enrolled user must reset first: enrolling again would silently replace a working authenticator."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.is_confirmed:
        raise ValidationFailed(_("已启用两步验证；如需更换设备，请先重置"), code="two_factor_already_enrolled")
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret_enc=pii.encrypt(pyotp.random_base32()))
    return Enrolment(device, device_secret(device))


@transaction.atomic
def two_factor_enrol_confirm(*, user: User, code: str, now: dt.datetime | None = None) -> list[str]:
    """Confirm the pending enrolment with a first code; returns the recovery codes (clear, shown once)."""
    moment = now or clock.now()
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationFailed(_("没有待确认的两步验证设备，请重新开始"), code="two_factor_no_pending")
    step = matching_step(device_secret(device), code, now=moment, after_step=device.last_used_step)
    if step is None:
        raise ValidationFailed(_("验证码不正确，请核对手机上的时间后重试"), code="two_factor_invalid_code")
    device.confirmed_at = moment
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = _replace_recovery_codes(device)
    audit_record("two_factor.enrol", actor=user, subject_type="user", subject_id=user.pk)
    return codes


def _replace_recovery_codes(device: TwoFactorDevice) -> list[str]:
    device.recovery_codes.all().delete()
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, code_hash=recovery_code_hash(c)) for c in codes])
    return codes


@transaction.atomic
def two_factor_recovery_codes_renew(*, user: User, code: str, now: dt.datetime | None = None) -> list[str]:
    """New recovery codes (the old ones stop working), against a current code."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None or not _accept_totp(device, code, now or clock.now()):
        raise ValidationFailed(_("验证码不正确"), code="two_factor_invalid_code")
    codes = _replace_recovery_codes(device)
    audit_record("two_factor.recovery_codes_renewed", actor=user, subject_type="user", subject_id=user.pk)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User | None, user: User) -> bool:
    """Remove ``user``'s authenticator and recovery codes (a lost phone: an administrator resets, the user enrols
    again at the next sign-in). True if there was one."""
    deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record("two_factor.reset", actor=actor, subject_type="user", subject_id=user.pk)
    return bool(deleted)


# --- sign-in ----------------------------------------------------------------------------------------------------


def _accept_totp(device: TwoFactorDevice, code: str, moment: dt.datetime) -> bool:
    step = matching_step(device_secret(device), code, now=moment, after_step=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


@transaction.atomic
def two_factor_verify(*, user: User, code: str, now: dt.datetime | None = None) -> str | None:
    """Check a sign-in code: ``"totp"`` or ``"recovery"`` for what was accepted, None for a refusal (audited)."""
    moment = now or clock.now()
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    if _accept_totp(device, code, moment):
        return "totp"
    if normalize_recovery_code(code) and not code.strip().isdigit():
        used = RecoveryCode.objects.filter(
            device=device, code_hash=recovery_code_hash(code), used_at__isnull=True
        ).update(used_at=moment)
        if used:
            left = device.recovery_codes.filter(used_at__isnull=True).count()
            audit_record(
                "two_factor.recovery_used", actor=user, subject_type="user", subject_id=user.pk, detail={"left": left}
            )
            return "recovery"
    audit_record("two_factor.failed", actor=user, subject_type="user", subject_id=user.pk)
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()
