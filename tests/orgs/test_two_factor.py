"""TOTP two-factor sign-in: real codes computed from the enrolled secret (RFC 6238), replay refused, recovery codes
hashed and single-use, the policy (administrators and personal-data holders when enforced), and the console flow:
password → code → in; a session that skipped the code reaches nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from shanzhi.core import pii
from shanzhi.core.audit import AuditEntry
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs import permissions, two_factor
from shanzhi.orgs.models import RecoveryCode, TwoFactorDevice

PASSWORD = "tf-pass-5678-long"
NOW = dt.datetime(2026, 12, 1, 8, 0, 0, tzinfo=dt.UTC)


def totp_now(secret: str, moment: dt.datetime | None = None) -> str:
    """What an authenticator app shows: computed by pyotp's own TOTP, not by the code under test."""
    return pyotp.TOTP(secret).at(moment or dt.datetime.now(dt.UTC))


def enrolled(user, moment: dt.datetime = NOW) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    enrolment = two_factor.two_factor_enrol_start(user=user)
    codes = two_factor.two_factor_enrol_confirm(user=user, code=totp_now(enrolment.secret, moment), now=moment)
    return enrolment.secret, codes


@pytest.fixture
def admin(desk, make_user):
    user = make_user(desk.district.centre, "admin", username="tf-admin")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def handler(desk, make_user):
    user = make_user(desk.district.town_a, "handler", username="tf-handler")
    user.set_password(PASSWORD)
    user.save()
    return user


# --- rules and services -----------------------------------------------------------------------------------------


def test_enrolment_needs_a_real_code_and_stores_the_secret_enc(admin):
    enrolment = two_factor.two_factor_enrol_start(user=admin)
    device = TwoFactorDevice.objects.get(user=admin)
    assert enrolment.secret not in device.secret_enc
    assert pii.decrypt(device.secret_enc) == enrolment.secret
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    assert f"secret={enrolment.secret}" in enrolment.provisioning_uri
    with pytest.raises(ValidationFailed) as wrong:
        two_factor.two_factor_enrol_confirm(
            user=admin, code="000000" if totp_now(enrolment.secret, NOW) != "000000" else "111111", now=NOW
        )
    assert wrong.value.code == "two_factor_invalid_code"
    assert not TwoFactorDevice.objects.get(user=admin).is_confirmed
    # the same pending secret is offered again until confirmed
    assert two_factor.two_factor_enrol_start(user=admin).secret == enrolment.secret
    codes = two_factor.two_factor_enrol_confirm(user=admin, code=totp_now(enrolment.secret, NOW), now=NOW)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TwoFactorDevice.objects.get(user=admin).is_confirmed
    assert AuditEntry.objects.filter(action="two_factor.enrol", actor_id=admin.pk).exists()
    with pytest.raises(ValidationFailed) as again:
        two_factor.two_factor_enrol_start(user=admin)
    assert again.value.code == "two_factor_already_enrolled"


def test_codes_within_one_step_of_drift_pass_and_none_is_accepted_twice(admin):
    secret, _ = enrolled(admin, NOW)
    later = NOW + dt.timedelta(minutes=5)
    assert (
        two_factor.two_factor_verify(user=admin, code=totp_now(secret, later - dt.timedelta(seconds=30)), now=later)
        == "totp"
    )
    # replay of the same code, and an older step, are refused
    assert (
        two_factor.two_factor_verify(user=admin, code=totp_now(secret, later - dt.timedelta(seconds=30)), now=later)
        is None
    )
    assert (
        two_factor.two_factor_verify(user=admin, code=totp_now(secret, later - dt.timedelta(seconds=60)), now=later)
        is None
    )
    assert (
        two_factor.two_factor_verify(user=admin, code=totp_now(secret, later + dt.timedelta(seconds=30)), now=later)
        == "totp"
    )
    # two steps away is too far
    far = later + dt.timedelta(minutes=10)
    assert (
        two_factor.two_factor_verify(user=admin, code=totp_now(secret, far - dt.timedelta(seconds=90)), now=far) is None
    )
    assert AuditEntry.objects.filter(action="two_factor.failed", actor_id=admin.pk).count() == 3


def test_recovery_codes_are_hashed_and_work_once(admin):
    _, codes = enrolled(admin)
    stored = list(RecoveryCode.objects.filter(device__user=admin).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
    assert two_factor.two_factor_verify(user=admin, code=codes[3].upper(), now=NOW) == "recovery"
    assert two_factor.two_factor_verify(user=admin, code=codes[3], now=NOW) is None
    assert two_factor.recovery_codes_left(admin) == 9
    assert AuditEntry.objects.filter(action="two_factor.recovery_used", actor_id=admin.pk).exists()


def test_renewing_recovery_codes_needs_a_code_and_voids_the_old_ones(admin):
    secret, old = enrolled(admin)
    later = NOW + dt.timedelta(minutes=1)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_recovery_codes_renew(user=admin, code="12345", now=later)
    new = two_factor.two_factor_recovery_codes_renew(user=admin, code=totp_now(secret, later), now=later)
    assert set(new).isdisjoint(old)
    assert two_factor.two_factor_verify(user=admin, code=old[0], now=later) is None
    assert two_factor.two_factor_verify(user=admin, code=new[0], now=later) == "recovery"


def test_reset_removes_the_device_and_is_audited(admin):
    enrolled(admin)
    assert two_factor.two_factor_reset(actor=None, user=admin)
    assert not TwoFactorDevice.objects.filter(user=admin).exists()
    assert not RecoveryCode.objects.filter(device__user=admin).exists()
    assert AuditEntry.objects.filter(action="two_factor.reset", subject_id=str(admin.pk)).exists()


def test_policy_administrators_and_personal_data_holders(desk, make_user, admin, handler, settings):
    pd_operator = make_user(desk.district.centre, "operator", username="tf-pd", personal_data=True)
    assert permissions.must_use_two_factor(admin)
    assert permissions.must_use_two_factor(pd_operator)
    assert not permissions.must_use_two_factor(handler)
    settings.SHANZHI_TWO_FACTOR_REQUIRED = True
    assert two_factor.must_enrol(admin) and two_factor.must_enrol(pd_operator) and not two_factor.must_enrol(handler)
    settings.SHANZHI_TWO_FACTOR_REQUIRED = False  # the embedded demo
    assert not two_factor.must_enrol(admin)


def production_env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """As tests/security/test_accounts.py starts a production process."""
    env = {
        **os.environ,
        "SHANZHI_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "centre.example",
        "SHANZHI_FIELD_KEY": "ZmVybmV0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA=",
        "SHANZHI_VAR_DIR": str(tmp_path),
        "SHANZHI_NOTIFIER_BACKEND": "shanzhi.notifications.backends.HttpSmsGatewayBackend",
    }
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SHANZHI_TWO_FACTOR_REQUIRED"):
        env.pop(name, None)
    return env


def test_production_settings_require_it_by_default(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SHANZHI_TWO_FACTOR_REQUIRED)"
    )
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "shanzhi.settings"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert run.stdout.strip().splitlines()[-1:] == ["True"], run.stderr[-2000:]
    demo = {**env, "SHANZHI_ENV": "development"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=demo, timeout=120, check=False
    )
    assert run.stdout.strip().splitlines()[-1:] == ["False"], run.stderr[-2000:]


# --- the console flow -------------------------------------------------------------------------------------------


def _password_step(client: Client, username: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("console:login"), data)


def test_an_enrolled_user_is_not_signed_in_by_the_password_alone(admin):
    secret, _ = enrolled(admin, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    client = Client()
    response = _password_step(client, "tf-admin", reverse("console:intake"))
    assert response.status_code == 302 and response["Location"] == reverse("console:two_factor_verify")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("console:workbench")).status_code == 302  # not signed in
    wrong = client.post(reverse("console:two_factor_verify"), {"code": "12"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    right = client.post(reverse("console:two_factor_verify"), {"code": totp_now(secret)})
    assert right.status_code == 302 and right["Location"] == reverse("console:intake")
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get(reverse("console:workbench")).status_code == 200


def test_five_wrong_codes_send_back_to_the_password(admin):
    enrolled(admin)
    client = Client()
    _password_step(client, "tf-admin")
    for _ in range(4):
        assert client.post(reverse("console:two_factor_verify"), {"code": "abc"}).status_code == 200
    assert client.post(reverse("console:two_factor_verify"), {"code": "abc"})["Location"] == reverse("console:login")
    assert client.get(reverse("console:two_factor_verify"))["Location"] == reverse("console:login")


def test_a_recovery_code_signs_in_and_the_page_says_how_many_are_left(admin):
    _, codes = enrolled(admin)
    client = Client()
    _password_step(client, "tf-admin", reverse("console:two_factor"))
    assert client.post(reverse("console:two_factor_verify"), {"code": codes[0]}).status_code == 302
    page = client.get(reverse("console:two_factor")).content.decode()
    assert "还剩 9 个恢复码" in page


def test_when_enforced_an_admin_must_enrol_before_anything_else(admin, settings):
    settings.SHANZHI_TWO_FACTOR_REQUIRED = True
    client = Client()
    response = _password_step(client, "tf-admin")
    assert response["Location"] == reverse("console:two_factor")
    assert client.get(reverse("console:workbench"))["Location"] == reverse("console:two_factor")
    assert client.get(reverse("admin:index"))["Location"] == reverse("console:two_factor")
    api = client.get("/api/v1/units")
    assert (api.status_code, api.json()["code"]) == (401, "two_factor_required")
    page = client.get(reverse("console:two_factor"))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and page["Cache-Control"] == "no-store"
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', body).group(1)
    done = client.post(reverse("console:two_factor"), {"code": totp_now(secret)})
    assert "data-recovery-codes" in done.content.decode()
    assert client.get(reverse("console:workbench")).status_code == 200
    assert client.get("/api/v1/units").status_code == 200


def test_not_enforced_the_demo_admin_signs_in_with_the_password(admin, settings):
    settings.SHANZHI_TWO_FACTOR_REQUIRED = False
    client = Client()
    assert _password_step(client, "tf-admin")["Location"] == reverse("console:workbench")
    assert client.get(reverse("console:workbench")).status_code == 200


def test_a_session_opened_elsewhere_is_signed_out_when_a_code_is_due(admin, handler, login):
    """The admin site's own login page knows nothing of the code step: such a session is sent to the console's."""
    enrolled(admin)
    client = login(admin)  # a session that never passed the code step
    response = client.get(reverse("console:workbench"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))
    assert "_auth_user_id" not in client.session
    # positive control: someone with no authenticator and no requirement is let in
    assert login(handler).get(reverse("console:workbench")).status_code == 200
