"""Accounts and the production guards: ``check --deploy`` clean under production settings, the password policy,
sessions that end, API keys stored only as hashes, the headers every page carries, limits on the public forms."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shanzhi.orgs.apikeys import apikey_create
from shanzhi.orgs.models import ApiKey

from .conftest import staff

pytestmark = pytest.mark.django_db


def production_env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SHANZHI_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "centre.example",
        "SHANZHI_FIELD_KEY": "ZmVybmV0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA=",
        "SHANZHI_VAR_DIR": str(tmp_path),
        "SHANZHI_NOTIFIER_BACKEND": "shanzhi.notifications.backends.HttpSmsGatewayBackend",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for Playwright, never in deployment
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "shanzhi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues (0 silenced)" in run.stdout


@pytest.mark.parametrize("weak", ["1234567", "12345678", "password", "qwertyuiop"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_session_ends_after_its_age(desk):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_COOKIE_HTTPONLY
    client = Client()
    client.force_login(desk.dispatcher)
    assert client.get(reverse("console:workbench")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("console:workbench"))
    assert response.status_code == 302 and reverse("console:login") in response["Location"]


def test_api_keys_are_stored_only_as_hashes(desk):
    user = staff(desk.district.centre, "integration", "int-hash")
    api_key, clear = apikey_create(user=user, name="哈希")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table} WHERE id = %s", [api_key.pk])
        raw = repr(cursor.fetchone())
    secret = clear.split(".", 1)[1]
    assert secret not in raw and clear not in raw
    assert hashlib.sha256(clear.encode()).hexdigest() in raw


def test_every_page_carries_the_protective_headers(desk):
    client = Client()
    client.force_login(desk.dispatcher)
    for path in (reverse("console:workbench"), reverse("portal:home"), "/api/v1/units"):
        response = client.get(path)
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response.get("Referrer-Policy") == "same-origin", path


def test_the_public_tracking_form_is_rate_limited(desk):
    """Ten tries per address in 15 minutes (portal.rules): the eleventh is refused before any look-up. (The page
    answers 422 with the message, not 429: noted for the portal.)"""
    client = Client(REMOTE_ADDR="198.51.100.23")
    pages = [
        client.post(reverse("portal:track"), {"tracking_no": f"HB20261204-{i:06d}", "code": "000000"})
        for i in range(12)
    ]
    limited = ["操作过于频繁" in p.content.decode() for p in pages]
    assert limited == [False] * 10 + [True] * 2
    assert all(p.status_code in (422, 429) for p in pages)


def test_asking_for_sign_in_codes_is_rate_limited(desk):
    client = Client(REMOTE_ADDR="198.51.100.24")
    statuses = [client.post(reverse("portal:signin"), {"phone": "13700009999"}).status_code for _ in range(12)]
    assert 429 in statuses, statuses
