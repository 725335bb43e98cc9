"""No clear phone number reaches the logs or the admin lists; the tasks; the admin actions."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse

from shanzhi.notifications import tasks
from shanzhi.notifications.backends import PermanentSendError, TransientSendError
from shanzhi.notifications.delivery import outbox_deliver
from shanzhi.notifications.models import NotificationTemplate, OutboxMessage, OutboxState
from shanzhi.notifications.services import notify_citizen

from .conftest import PHONE, T0

MASKED = "138****5678"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(T0, tick=False)


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _log_text(caplog) -> str:
    # The formatted messages and every argument, as a handler would write them.
    return "\n".join(f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records)


@pytest.mark.usefixtures("immediate_tasks")
def test_the_log_backend_writes_a_masked_line(make_appeal, django_capture_on_commit_callbacks, all_logs):
    appeal = make_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        notify_citizen(appeal=appeal, event="received")
        notify_citizen(appeal=make_appeal(citizen_phone=""), event="received")  # skipped: logged too
    lines = [r.getMessage() for r in all_logs.records if r.name == "shanzhi.notifications"]
    sent_line = next(line for line in lines if line.startswith("notification ") and "to=" in line)
    assert f"to={MASKED}" in sent_line and f"appeal={appeal.tracking_no}" in sent_line
    assert appeal.content not in sent_line  # the text of the appeal is not logged either
    assert PHONE not in _log_text(all_logs)


def test_failures_and_dead_letters_log_no_clear_number(make_appeal, scripted, all_logs, shanzhi_settings):
    shanzhi_settings(NOTIFY_MAX_ATTEMPTS=2)
    scripted(
        TransientSendError("gateway_unavailable", f"HTTP 503 for {PHONE}"),
        RuntimeError(f"boom {PHONE}"),
        PermanentSendError("gateway_refused", PHONE),
        TransientSendError("gateway_timeout", f"{PHONE} timed out"),
    )
    first = notify_citizen(appeal=make_appeal(), event="received")
    second = notify_citizen(appeal=make_appeal(), event="accepted")
    assert first is not None and second is not None
    outbox_deliver(now=T0, limit=10)
    outbox_deliver(now=T0 + dt.timedelta(minutes=1), limit=10)
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DEAD}
    text = _log_text(all_logs)
    assert MASKED in text and PHONE not in text
    assert PHONE not in "".join(OutboxMessage.objects.values_list("last_error", flat=True))


@pytest.mark.usefixtures("immediate_tasks")
def test_the_tasks_deliver(make_appeal, scripted):
    backend = scripted()
    message = notify_citizen(appeal=make_appeal(), event="received")
    assert message is not None
    result = tasks.deliver_message.enqueue(message.pk)
    assert result.return_value == OutboxState.SENT
    notify_citizen(appeal=make_appeal(), event="received")
    sweep = tasks.deliver_outbox.enqueue()
    assert sweep.return_value == {"claimed": 1, "sent": 1, "retried": 0, "dead": 0}
    assert len(backend.sent) == 2
    assert tasks.deliver_outbox.module_path == "shanzhi.notifications.tasks.deliver_outbox"


def test_the_admin_list_and_page_show_the_number_masked(admin_client, make_appeal):
    message = notify_citizen(appeal=make_appeal(), event="received")
    assert message is not None
    listing = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert listing.status_code == 200
    assert MASKED in listing.content.decode() and PHONE not in listing.content.decode()
    page = admin_client.get(reverse("admin:notifications_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert MASKED in page.content.decode() and PHONE not in page.content.decode()


def test_the_admin_requeues_dead_messages(admin_client, make_appeal, scripted):
    scripted(PermanentSendError("gateway_refused", "HTTP 403"))
    message = notify_citizen(appeal=make_appeal(), event="received")
    assert message is not None
    outbox_deliver(now=T0, limit=10)
    response = admin_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "requeue", "_selected_action": [message.pk]},
        follow=True,
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING and message.attempts == 0


def test_the_admin_refuses_a_template_with_an_unknown_placeholder(admin_client):
    url = reverse("admin:notifications_notificationtemplate_add")
    assert "{tracking_no}" in admin_client.get(url).content.decode()
    bad = admin_client.post(url, {"event": "received", "channel": "sms", "body": "电话{phone}", "is_active": "on"})
    assert bad.status_code == 200 and "未知的占位符" in bad.content.decode()
    assert not NotificationTemplate.objects.exists()
    good = admin_client.post(
        url, {"event": "received", "channel": "sms", "body": "编号{tracking_no}", "is_active": "on"}
    )
    assert good.status_code == 302
    assert NotificationTemplate.objects.get().body == "编号{tracking_no}"


def _otp_message(code: str = "710554") -> OutboxMessage:
    return OutboxMessage.objects.create(
        recipient=PHONE, event="otp", body=f"您的登录验证码为 {code}，5 分钟内有效。", state=OutboxState.PENDING,
        next_attempt_at=T0, created_at=T0,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_one_time_code_is_kept_in_clear_only_until_it_is_delivered(scripted):
    backend = scripted()
    message = _otp_message()
    outbox_deliver(now=T0)
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and "710554" in backend.sent[0][2]  # the citizen got the code
    assert "710554" not in message.body and message.body == "您的登录验证码为 ******，5 分钟内有效。"


@pytest.mark.django_db
def test_a_given_up_code_is_blanked_too(scripted):
    scripted(PermanentSendError("rejected"))
    message = _otp_message("4321")
    outbox_deliver(now=T0)
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD and "4321" not in message.body


def test_the_admin_never_shows_a_pending_code(admin_client):
    message = _otp_message()
    page = admin_client.get(reverse("admin:notifications_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "您的登录验证码为 ******" in body and "710554" not in body
