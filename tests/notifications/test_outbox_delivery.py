"""outbox_deliver / outbox_deliver_message: sending, retries with back-off, dead letters, leases, requeue."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.notifications import delivery, services
from shanzhi.notifications.backends import PermanentSendError, TransientSendError
from shanzhi.notifications.delivery import outbox_deliver, outbox_deliver_message
from shanzhi.notifications.models import OutboxMessage, OutboxState
from shanzhi.notifications.rules import SENDING_LEASE
from shanzhi.notifications.services import notify_citizen

from .conftest import PHONE, T0

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(T0, tick=False)


@pytest.fixture
def queued(make_appeal):
    def make(n: int = 1) -> list[OutboxMessage]:
        messages = []
        for _ in range(n):
            message = notify_citizen(appeal=make_appeal(), event="received")
            assert message is not None
            messages.append(message)
        return messages

    return make


def _reload(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


def test_due_messages_are_sent_once(queued, scripted):
    backend = scripted()
    first, second = queued(2)
    counts = outbox_deliver(now=T0, limit=10)
    assert counts.as_dict() == {"claimed": 2, "sent": 2, "retried": 0, "dead": 0}
    assert [pk for pk, _phone, _body in backend.sent] == [first.pk, second.pk]
    for message in (first, second):
        _reload(message)
        assert message.state == OutboxState.SENT and message.sent_at == T0 and message.attempts == 1
        assert message.provider_message_id == f"scripted-{message.pk}" and message.next_attempt_at is None
    assert outbox_deliver(now=T0 + MINUTE, limit=10).claimed == 0
    assert len(backend.sent) == 2


def test_messages_not_yet_due_wait(queued, scripted):
    backend = scripted()
    (message,) = queued()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=T0 + MINUTE)
    assert outbox_deliver(now=T0, limit=10).claimed == 0
    assert outbox_deliver(now=T0 + MINUTE, limit=10).sent == 1
    assert len(backend.sent) == 1


def test_transient_failures_back_off_exponentially_then_the_message_is_dead(queued, scripted, shanzhi_settings):
    shanzhi_settings(NOTIFY_MAX_ATTEMPTS=4)
    backend = scripted(*[TransientSendError("gateway_unavailable", "HTTP 503")] * 4)
    (message,) = queued()
    now = T0
    for attempt, delay in enumerate([1, 2, 4], start=1):
        counts = outbox_deliver(now=now, limit=10)
        assert counts.retried == 1
        _reload(message)
        assert message.state == OutboxState.FAILED and message.attempts == attempt
        assert message.next_attempt_at == now + delay * MINUTE
        assert message.last_error == "gateway_unavailable: HTTP 503"
        # Nothing happens before the retry time.
        assert outbox_deliver(now=now + delay * MINUTE - dt.timedelta(seconds=1), limit=10).claimed == 0
        now += delay * MINUTE
    counts = outbox_deliver(now=now, limit=10)
    assert counts.dead == 1
    _reload(message)
    assert message.state == OutboxState.DEAD and message.attempts == 4 and message.next_attempt_at is None
    assert message.sent_at is None and message.body  # kept, with its text, for the admin to requeue
    assert outbox_deliver(now=now + dt.timedelta(days=1), limit=10).claimed == 0
    assert backend.sent == []


def test_a_retry_that_succeeds_marks_the_message_sent(queued, scripted):
    scripted(TransientSendError("gateway_timeout", "10s"))
    (message,) = queued()
    outbox_deliver(now=T0, limit=10)
    assert outbox_deliver(now=T0 + MINUTE, limit=10).sent == 1
    _reload(message)
    assert message.state == OutboxState.SENT and message.attempts == 2 and message.last_error == ""


def test_a_gateway_refusal_is_final_but_the_message_is_kept(queued, scripted):
    scripted(PermanentSendError("gateway_refused", "HTTP 400 INVALID_MOBILE"))
    (message,) = queued()
    assert outbox_deliver(now=T0, limit=10).dead == 1
    _reload(message)
    assert message.state == OutboxState.DEAD and message.attempts == 1
    assert message.last_error == "gateway_refused: HTTP 400 INVALID_MOBILE"


def test_an_unexpected_backend_exception_is_retried_without_personal_data(queued, scripted):
    scripted(RuntimeError(f"cannot send to {PHONE}"))
    (message,) = queued()
    assert outbox_deliver(now=T0, limit=10).retried == 1
    _reload(message)
    assert message.state == OutboxState.FAILED and message.last_error == "backend_error: RuntimeError"


def test_a_misconfigured_backend_path_keeps_the_messages(queued, shanzhi_settings):
    shanzhi_settings(NOTIFIER_BACKEND="shanzhi.notifications.backends.NoSuchBackend")
    (message,) = queued()
    assert outbox_deliver(now=T0, limit=10).retried == 1
    assert _reload(message).state == OutboxState.FAILED
    assert message.last_error == "backend_error: ImportError"


def test_a_message_held_by_another_worker_is_not_sent_twice(queued, scripted):
    backend = scripted()
    (message,) = queued()
    claimed, _ = delivery._claim(now=T0, limit=10)  # another worker claimed it and is sending
    assert [m.pk for m in claimed] == [message.pk]
    assert _reload(message).state == OutboxState.SENDING
    assert message.next_attempt_at == T0 + SENDING_LEASE
    assert outbox_deliver(now=T0 + MINUTE, limit=10).claimed == 0
    assert outbox_deliver_message(message_id=message.pk, now=T0 + MINUTE) == OutboxState.SENDING
    assert backend.sent == []


def test_a_worker_that_died_mid_send_is_taken_over_after_its_lease(queued, scripted):
    backend = scripted()
    (message,) = queued()
    delivery._claim(now=T0, limit=10)  # the worker dies here
    counts = outbox_deliver(now=T0 + SENDING_LEASE, limit=10)
    assert counts.sent == 1
    _reload(message)
    assert message.state == OutboxState.SENT and message.attempts == 2
    assert len(backend.sent) == 1


def test_a_dead_worker_on_the_last_attempt_leaves_a_dead_letter(queued, scripted, shanzhi_settings):
    shanzhi_settings(NOTIFY_MAX_ATTEMPTS=1)
    backend = scripted()
    (message,) = queued()
    delivery._claim(now=T0, limit=10)
    assert outbox_deliver(now=T0 + SENDING_LEASE, limit=10).dead == 1
    _reload(message)
    assert message.state == OutboxState.DEAD and message.last_error.startswith("lease_expired")
    assert backend.sent == []


def test_an_outcome_is_not_recorded_over_a_takeover(queued, scripted):
    scripted()
    (message,) = queued()
    (claimed,), _ = delivery._claim(now=T0, limit=10)
    # The lease ran out and a second worker re-claimed the message (attempts went up).
    delivery._claim(now=T0 + SENDING_LEASE, limit=10)
    assert delivery._record(claimed, state=OutboxState.SENT, sent_at=T0) is False
    assert _reload(message).state == OutboxState.SENDING and message.attempts == 2


def test_the_limit_is_respected_across_claim_batches(queued, scripted):
    backend = scripted()
    queued(delivery.CLAIM_BATCH + 5)
    counts = outbox_deliver(now=T0, limit=delivery.CLAIM_BATCH + 2)
    assert counts.claimed == counts.sent == delivery.CLAIM_BATCH + 2
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING).count() == 3
    assert outbox_deliver(now=T0, limit=100).sent == 3
    assert len({pk for pk, _phone, _body in backend.sent}) == delivery.CLAIM_BATCH + 5


def test_deliver_one_message(queued, scripted):
    backend = scripted()
    first, second = queued(2)
    assert outbox_deliver_message(message_id=first.pk, now=T0) == OutboxState.SENT
    assert outbox_deliver_message(message_id=first.pk, now=T0) == OutboxState.SENT  # not sent again
    assert [pk for pk, _phone, _body in backend.sent] == [first.pk]
    assert _reload(second).state == OutboxState.PENDING
    assert outbox_deliver_message(message_id=999_999, now=T0) == "missing"


def test_requeue_gives_dead_messages_a_new_chance(queued, scripted):
    scripted(PermanentSendError("gateway_refused", "HTTP 403"))
    sent_ok, dead = queued(2)
    OutboxMessage.objects.filter(pk=sent_ok.pk).update(next_attempt_at=T0 + MINUTE)
    outbox_deliver(now=T0, limit=10)
    assert _reload(dead).state == OutboxState.DEAD
    later = T0 + dt.timedelta(hours=2)
    assert services.outbox_requeue(message_ids=[dead.pk, sent_ok.pk], now=later) == 1  # only failed/dead
    _reload(dead)
    assert dead.state == OutboxState.PENDING and dead.attempts == 0 and dead.next_attempt_at == later
    assert outbox_deliver(now=later, limit=10).sent == 2


def test_portal_messages_are_delivered_into_the_inbox(make_appeal):
    from shanzhi.notifications.selectors import citizen_inbox

    appeal = make_appeal(citizen_phone="0473-1234567")
    message = notify_citizen(appeal=appeal, event="received", channel="portal")
    assert message is not None
    assert list(citizen_inbox(phone="0473-1234567")) == []  # not delivered yet
    assert outbox_deliver(now=T0, limit=10).sent == 1
    assert _reload(message).provider_message_id == f"portal-{message.pk}"
    assert list(citizen_inbox(phone="0473-1234567")) == [message]
    assert list(citizen_inbox(phone="13812345678")) == []
