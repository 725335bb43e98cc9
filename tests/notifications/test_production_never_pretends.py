"""Production never pretends to send: the log backend marks nothing sent under SHANZHI_ENV=production, and the
settings refuse it there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shanzhi.core import clock
from shanzhi.notifications.delivery import outbox_deliver
from shanzhi.notifications.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db


def _message() -> OutboxMessage:
    now = clock.now()
    return OutboxMessage.objects.create(
        recipient="13800001234", event="accepted", body="您的诉求已受理", next_attempt_at=now, created_at=now
    )


def test_the_log_backend_marks_nothing_delivered_in_production(settings):
    settings.PRODUCTION = True
    message = _message()
    outbox_deliver(now=clock.now())
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD and "no_gateway" in message.last_error and message.sent_at is None


def test_outside_production_the_log_backend_logs_and_marks_sent(settings):
    message = _message()
    outbox_deliver(now=clock.now())
    message.refresh_from_db()
    assert message.state == OutboxState.SENT  # positive control: the embedded profile has no gateway by design


def test_production_settings_refuse_the_log_backend(tmp_path):
    env = {
        **os.environ,
        "SHANZHI_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "centre.example",
        "SHANZHI_FIELD_KEY": "ZmVybmV0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA=",
        "SHANZHI_VAR_DIR": str(tmp_path),
        "SHANZHI_NOTIFIER_BACKEND": "shanzhi.notifications.backends.LogBackend",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    probe = [sys.executable, "-c", "import shanzhi.settings"]
    refused = subprocess.run(probe, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "SHANZHI_NOTIFIER_BACKEND" in refused.stderr
    env["SHANZHI_NOTIFIER_BACKEND"] = "shanzhi.notifications.backends.HttpSmsGatewayBackend"
    assert subprocess.run(probe, env=env, capture_output=True, text=True).returncode == 0
