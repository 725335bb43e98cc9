"""notify_citizen: rendering, skip rules, dedupe, the transactional outbox and the after-commit delivery."""

from __future__ import annotations

import pytest
from django.db import transaction

from shanzhi.appeals.models import AppealState
from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications import delivery
from shanzhi.notifications.models import NotificationTemplate, OutboxMessage, OutboxState
from shanzhi.notifications.services import notify_citizen
from shanzhi.orgs.models import Unit, UnitKind

from .conftest import PHONE, T0


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(T0, tick=False)


def test_received_is_queued_with_the_rendered_text(make_appeal):
    appeal = make_appeal(citizen_phone="138 1234 5678")
    message = notify_citizen(appeal=appeal, event="received")
    assert message is not None
    message.refresh_from_db()
    assert message.recipient == PHONE  # normalised
    assert message.recipient_masked == "138****5678"
    assert message.channel == "sms" and message.event == "received" and message.appeal == appeal
    assert message.state == OutboxState.PENDING and message.attempts == 0
    assert message.next_attempt_at == T0 and message.created_at == T0
    assert message.body.startswith(f"您反映的诉求已收到，编号{appeal.tracking_no}。")
    assert message.dedupe_key is not None
    assert message.dedupe_key.startswith(f"appeal:{appeal.tracking_no}:received:sms:r0:")


def test_dispatched_names_the_lead_unit(make_appeal):
    unit = Unit.objects.create(code="D-ZJ", name="区住房和城乡建设局", kind=UnitKind.DEPARTMENT)
    appeal = make_appeal(lead_unit=unit, round=1, state=AppealState.DISPATCHED)
    message = notify_citizen(appeal=appeal, event="dispatched")
    assert message is not None and "已转交区住房和城乡建设局办理" in message.body


def test_needs_info_carries_the_request_and_replied_the_reply(make_appeal):
    appeal = make_appeal(reply_text="已更换路灯灯具，恢复照明。")
    asked = notify_citizen(appeal=appeal, event="needs_info", extra={"request": "具体楼号"})
    replied = notify_citizen(appeal=appeal, event="replied")
    assert asked is not None and "需要补充：具体楼号" in asked.body
    assert replied is not None and replied.body.endswith("答复如下：已更换路灯灯具，恢复照明。")


@pytest.mark.parametrize(
    ("fields", "event", "queued"),
    [
        ({"citizen_phone": ""}, "received", False),
        ({"citizen_phone": "", "is_anonymous": True}, "received", False),
        ({"is_anonymous": True}, "received", True),  # anonymous towards units, but the centre may still answer
        ({"wants_reply": False}, "accepted", False),
        ({"wants_reply": False}, "dispatched", False),
        ({"wants_reply": False}, "replied", False),
        ({"wants_reply": False}, "follow_up", False),
        ({"wants_reply": False}, "closed", False),
        ({"wants_reply": False}, "received", True),
        ({"wants_reply": False}, "needs_info", True),
        ({"citizen_phone": "0473-1234567"}, "received", False),  # a landline cannot take an SMS
    ],
)
def test_skip_rules(make_appeal, fields, event, queued):
    appeal = make_appeal(**fields)
    result = notify_citizen(appeal=appeal, event=event)
    assert (result is not None) is queued
    assert OutboxMessage.objects.filter(appeal=appeal).count() == (1 if queued else 0)


def test_portal_channel_reaches_a_landline_caller(make_appeal):
    appeal = make_appeal(citizen_phone="0473-1234567")
    assert notify_citizen(appeal=appeal, event="received", channel="portal") is not None


def test_unknown_event_or_channel_is_a_coded_error(make_appeal):
    appeal = make_appeal()
    with pytest.raises(ValidationFailed) as error:
        notify_citizen(appeal=appeal, event="exploded")
    assert error.value.code == "unknown_notification_event"
    with pytest.raises(ValidationFailed) as error:
        notify_citizen(appeal=appeal, event="received", channel="pigeon")
    assert error.value.code == "unknown_notification_channel"


def test_the_same_notification_is_queued_once(make_appeal):
    appeal = make_appeal()
    first = notify_citizen(appeal=appeal, event="received")
    second = notify_citizen(appeal=appeal, event="received")
    assert first is not None and second is None
    assert OutboxMessage.objects.filter(appeal=appeal).count() == 1


def test_a_new_round_or_a_new_request_is_a_new_notification(make_appeal):
    appeal = make_appeal(round=1)
    assert notify_citizen(appeal=appeal, event="dispatched") is not None
    appeal.round = 2  # redispatched after a failed review
    assert notify_citizen(appeal=appeal, event="dispatched") is not None
    assert notify_citizen(appeal=appeal, event="needs_info", extra={"request": "现场照片"}) is not None
    assert notify_citizen(appeal=appeal, event="needs_info", extra={"request": "具体楼号"}) is not None
    assert notify_citizen(appeal=appeal, event="needs_info", extra={"request": "具体楼号"}) is None
    assert OutboxMessage.objects.filter(appeal=appeal).count() == 4


def test_an_explicit_occurrence_decides_the_dedupe(make_appeal):
    appeal = make_appeal()
    assert notify_citizen(appeal=appeal, event="follow_up", dedupe="event-17") is not None
    assert notify_citizen(appeal=appeal, event="follow_up", dedupe="event-17") is None
    assert notify_citizen(appeal=appeal, event="follow_up", dedupe="event-18") is not None


def test_a_duplicate_does_not_break_the_callers_transaction(make_appeal, monkeypatch):
    appeal = make_appeal()
    notify_citizen(appeal=appeal, event="received")
    # Simulate a concurrent writer that got in between the existence check and the insert.
    monkeypatch.setattr(OutboxMessage.objects, "filter", _exists_false_once(OutboxMessage.objects.filter))
    with transaction.atomic():
        assert notify_citizen(appeal=appeal, event="received") is None
        appeal.title = "still writable"
        appeal.save()  # the outer transaction is still usable after the IntegrityError
    assert OutboxMessage.objects.filter(appeal=appeal).count() == 1


def _exists_false_once(original):
    state = {"calls": 0}

    class _NoRow:
        def exists(self) -> bool:
            return False

    def patched(*args, **kwargs):
        state["calls"] += 1
        if state["calls"] == 1 and "dedupe_key" in kwargs:
            return _NoRow()
        return original(*args, **kwargs)

    return patched


def test_an_active_db_template_overrides_the_default(make_appeal):
    NotificationTemplate.objects.create(event="received", channel="sms", body="已收到，编号{tracking_no}，谢谢。")
    NotificationTemplate.objects.create(event="closed", channel="sms", body="不该用", is_active=False)
    appeal = make_appeal()
    received = notify_citizen(appeal=appeal, event="received")
    closed = notify_citizen(appeal=appeal, event="closed")
    assert received is not None and received.body == f"已收到，编号{appeal.tracking_no}，谢谢。"
    assert closed is not None and closed.body.startswith(f"您的诉求（编号{appeal.tracking_no}）已办结")


def test_a_broken_db_template_falls_back_to_the_default(make_appeal):
    NotificationTemplate.objects.create(event="received", channel="sms", body="编号{tracking_no")
    appeal = make_appeal()
    message = notify_citizen(appeal=appeal, event="received")
    assert message is not None and message.body.startswith("您反映的诉求已收到")


@pytest.mark.django_db
def test_the_template_model_validates_placeholders():
    from django.core.exceptions import ValidationError

    template = NotificationTemplate(event="received", channel="sms", body="编号{tracking_no}，电话{phone}")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "{phone}" in str(error.value)


def test_the_message_is_written_in_the_callers_transaction(make_appeal, django_capture_on_commit_callbacks):
    appeal = make_appeal()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notify_citizen(appeal=appeal, event="received")
        raise RuntimeError("the business change failed")
    assert not OutboxMessage.objects.exists()
    assert callbacks == []  # no delivery is asked for a message that never existed


@pytest.mark.usefixtures("immediate_tasks")
def test_delivery_is_enqueued_after_commit(make_appeal, django_capture_on_commit_callbacks, caplog):
    appeal = make_appeal()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = notify_citizen(appeal=appeal, event="received")
        assert message is not None
        message.refresh_from_db()
        assert message.state == OutboxState.PENDING  # nothing is sent before the commit
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.attempts == 1
    assert message.provider_message_id == f"log-{message.pk}"  # the default LogBackend
    assert message.sent_at == T0


def test_a_lost_enqueue_is_picked_up_by_the_sweep(make_appeal, django_capture_on_commit_callbacks, monkeypatch):
    from shanzhi.notifications import tasks

    class QueueDown:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "deliver_message", QueueDown())
    appeal = make_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        message = notify_citizen(appeal=appeal, event="received")
    assert message is not None
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    counts = delivery.outbox_deliver(now=T0, limit=10)
    assert counts.sent == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_with_the_database_queue_the_task_is_stored_for_a_worker(
    make_appeal, django_capture_on_commit_callbacks, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    appeal = make_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        message = notify_citizen(appeal=appeal, event="received")
    assert message is not None
    stored = DBTaskResult.objects.get()
    assert stored.task_path == "shanzhi.notifications.tasks.deliver_message"
    assert stored.args_kwargs["args"] == [message.pk]
