"""The embedded profile's error pages are the plain ones: DEBUG is off unless SHANZHI_DEBUG=1 asks for it, refused
under production, and the static files are still served (WhiteNoise) with DEBUG off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def debug_under(**env: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SHANZHI_DEBUG", "SHANZHI_ENV")}
    full = {**clean, "DJANGO_SETTINGS_MODULE": "shanzhi.settings", **env}
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True)


def test_debug_is_off_unless_asked():
    assert debug_under().stdout.strip().endswith("DEBUG False")
    assert debug_under(SHANZHI_DEBUG="1").stdout.strip().endswith("DEBUG True")
    assert debug_under(SHANZHI_DEBUG="0").stdout.strip().endswith("DEBUG False")


def test_production_refuses_debug():
    done = debug_under(
        SHANZHI_ENV="production",
        SHANZHI_DEBUG="1",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.test",
        SHANZHI_FIELD_KEY="pVfPjzZ6pNoyJQK4VJW0rPmh4E0Sx3nOs6VJZD9Z1Ww=",
        SHANZHI_NOTIFIER_BACKEND="shanzhi.notifications.backends.HttpSmsGatewayBackend",
    )
    assert done.returncode != 0 and "refuses SHANZHI_DEBUG" in done.stderr


def test_a_missing_page_is_the_plain_404_and_static_files_are_served(client, desk, login):
    assert settings.DEBUG is False
    response = login(desk.operator).get("/console/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Traceback" not in html and "settings.py" not in html and "URLconf" not in html
    static = client.get("/static/console/appeal_map.js")
    assert static.status_code == 200
    assert b"appeal-map-data" in b"".join(static.streaming_content)
