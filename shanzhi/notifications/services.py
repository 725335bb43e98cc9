"""Telling citizens what happens to their appeal, without losing a message.

:func:`notify_citizen` writes the message into the outbox inside the caller's transaction and asks for delivery
once that transaction commits; if it rolls back, neither the change nor the message exist. Delivery
(:mod:`shanzhi.notifications.delivery`) claims due messages under a row lock that concurrent
workers skip, marks them ``sending`` with a lease, sends outside any transaction, then records the outcome:
``sent``; ``failed`` with a retry time (exponential back-off); or ``dead`` after the last attempt or a refusal.
A worker that dies mid-send leaves the message ``sending``; when its lease runs out the next sweep takes it over
(at-least-once delivery; the gateway gets a stable ``out_id`` to drop duplicates).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock, pii
from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.model_instances import new_instance
from shanzhi.core.task_rows import task_row
from shanzhi.notifications import kinds, rules, templates_text
from shanzhi.notifications.models import (
    NotificationChannel,
    NotificationEvent,
    NotificationTemplate,
    OutboxMessage,
    OutboxState,
)

logger = logging.getLogger("shanzhi.notifications")


class NotifiableUnit(Protocol):
    @property
    def name(self) -> str: ...


class NotifiableAppeal(Protocol):
    """What a notification reads of an appeal. The appeal desk's ``Appeal`` is one; the outbox sits below the desk
    (the desk writes its messages in the same statement as the appeal) and never imports it."""

    @property
    def pk(self) -> Any: ...
    @property
    def tracking_no(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def due_at(self) -> dt.datetime | None: ...
    @property
    def reply_text(self) -> str: ...
    @property
    def lead_unit_id(self) -> Any: ...
    @property
    def lead_unit(self) -> NotifiableUnit | None: ...
    @property
    def round(self) -> int: ...
    @property
    def citizen_phone(self) -> str: ...
    @property
    def wants_reply(self) -> bool: ...


# --- writing to the outbox ------------------------------------------------------------------------------------


def render_message(
    *,
    appeal: NotifiableAppeal,
    event: str,
    channel: str = NotificationChannel.SMS,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The text for ``event`` about ``appeal``: the admin's active template if any, else the built-in one."""
    default = templates_text.default_text(event, channel)
    override = _template_overrides().get((event, channel))
    context = templates_text.build_context(
        tracking_no=appeal.tracking_no,
        title=appeal.title or appeal.content,
        due_at=appeal.due_at,
        reply=appeal.reply_text,
        unit=appeal.lead_unit.name if appeal.lead_unit_id and appeal.lead_unit else "",
        channel=channel,
        tz=clock.centre_tz(),
        extra=extra,
    )
    return templates_text.render(override or default, context, fallback=default)


_overrides: dict[str, Any] = {"texts": None, "loaded": 0.0}


def _template_overrides() -> dict[tuple[str, str], str]:
    """The admin's active templates, cached in this process (edits here drop the cache; others within 30 s)."""
    texts = _overrides["texts"]
    if texts is None or time.monotonic() - _overrides["loaded"] > 30:
        texts = {
            (e, c): body
            for e, c, body in NotificationTemplate.objects.filter(is_active=True).values_list(
                "event", "channel", "body"
            )
        }
        _overrides["texts"], _overrides["loaded"] = texts, time.monotonic()
    return texts


def invalidate_templates(**_: Any) -> None:
    _overrides["texts"] = None


post_save.connect(invalidate_templates, sender=NotificationTemplate, dispatch_uid="notification-templates-cache")
post_delete.connect(invalidate_templates, sender=NotificationTemplate, dispatch_uid="notification-templates-cache-d")


def _dedupe_key(*, appeal: NotifiableAppeal, event: str, channel: str, body: str, dedupe: str | None) -> str:
    if dedupe is None:
        # Same appeal, event, dispatch round and text: the same notification (a retried request, a double click).
        dedupe = f"r{appeal.round}:" + hashlib.sha256(body.encode()).hexdigest()[:20]
    # The tracking number, not the id: messages for new appeals are built before their appeal is inserted.
    if not appeal.tracking_no:
        raise ValueError("a notification needs the appeal's tracking number")
    key = f"appeal:{appeal.tracking_no}:{event}:{channel}:{dedupe}"
    return key if len(key) <= 160 else key[:120] + hashlib.sha256(key.encode()).hexdigest()[:40]


def notify_citizen(
    *,
    appeal: NotifiableAppeal,
    event: str,
    extra: dict | None = None,
    channel: str = NotificationChannel.SMS,
    dedupe: str | None = None,
    new_appeal: bool = False,
) -> OutboxMessage | None:
    """Queue a message telling the citizen about ``event``; delivered after the caller's transaction commits.

    Returns None when nothing is queued: no phone, a phone that cannot take this channel, a citizen who wants no
    reply (except for the essential events), or the same notification already queued. ``extra`` fills
    placeholders such as ``request`` (needs_info) or ``reason`` (rejected). ``dedupe`` names the occurrence (e.g.
    an AppealEvent id) when the same event may legitimately repeat with the same text. ``new_appeal`` (intake)
    skips the duplicate check: nothing can have been queued yet for an appeal created in this transaction.
    """
    if event not in NotificationEvent.values:
        raise ValidationFailed(_("未知的通知事件"), code="unknown_notification_event", event=event)
    if channel not in NotificationChannel.values:
        raise ValidationFailed(_("未知的通知渠道"), code="unknown_notification_channel", channel=channel)
    phone = pii.normalize_phone(appeal.citizen_phone or "")
    reason = rules.skip_reason(phone=phone, wants_reply=appeal.wants_reply, event=event, channel=channel)
    if reason is not None:
        logger.debug("notification skipped appeal=%s event=%s reason=%s", appeal.tracking_no, event, reason)
        return None
    if new_appeal:
        messages = new_appeal_messages(appeals=[appeal], event=event, channel=channel, extra=extra)
        bulk_insert(messages)
        schedule_deliveries(messages)
        return messages[0]
    body = render_message(appeal=appeal, event=event, channel=channel, extra=extra)
    key = _dedupe_key(appeal=appeal, event=event, channel=channel, body=body, dedupe=dedupe)
    now = clock.now()
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        logger.info("notification deduplicated appeal=%s event=%s", appeal.tracking_no, event)
        return None
    message = _outbox_message(appeal=appeal, event=event, channel=channel, phone=phone, body=body, key=key, now=now)
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not break the caller's transaction
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=key).exists():
            logger.info("notification deduplicated appeal=%s event=%s", appeal.tracking_no, event)
            return None
        raise
    _schedule_delivery(message.pk)
    return message


def notify_subject(
    *,
    subject_type: str,
    subject_id: str | int,
    phone: str,
    event: str,
    values: Mapping[str, Any],
    channel: str = NotificationChannel.SMS,
    dedupe: str = "",
) -> OutboxMessage | None:
    """Queue a registered notice (:func:`shanzhi.notifications.kinds.register_subject_event`) about a subject that
    is not an appeal — ``subject_type`` names it (``mediation.appointment``), ``subject_id`` its row — to ``phone``.
    Written in the caller's transaction, delivered after commit, like :func:`notify_citizen`; the admin's active
    template for (event, channel) overrides the built-in text. None when nothing is queued: no phone, a phone that
    cannot take the channel, or the same notice (subject, event, channel, ``dedupe``) already queued."""
    if kinds.subject_event(event) is None:
        raise ValidationFailed(_("未知的通知事件"), code="unknown_notification_event", event=event)
    if channel not in NotificationChannel.values:
        raise ValidationFailed(_("未知的通知渠道"), code="unknown_notification_channel", channel=channel)
    if not subject_type:
        raise ValueError("a notice needs its subject")
    phone = pii.normalize_phone(phone or "")
    reason = rules.skip_reason(phone=phone, wants_reply=True, event=event, channel=channel)
    if reason is not None:
        logger.debug("notice skipped subject=%s:%s event=%s reason=%s", subject_type, subject_id, event, reason)
        return None
    default = templates_text.default_text(event, channel)
    override = _template_overrides().get((event, channel))
    body = templates_text.render(override or default, templates_text.subject_context(event, values), fallback=default)
    key = f"{subject_type}:{subject_id}:{event}:{channel}:{dedupe}"
    key = key if len(key) <= 160 else key[:120] + hashlib.sha256(key.encode()).hexdigest()[:40]
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return None
    now = clock.now()
    message = new_instance(
        OutboxMessage,
        channel=channel,
        recipient=phone,
        event=event,
        subject_type=subject_type[:40],
        subject_id=str(subject_id)[:40],
        body=body,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        dedupe_key=key,
        created_at=now,
    )
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not break the caller's transaction
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=key).exists():
            return None
        raise
    _schedule_delivery(message.pk)
    return message


def new_appeal_messages(
    *,
    appeals: Iterable[NotifiableAppeal],
    event: str = "received",
    channel: str = NotificationChannel.SMS,
    extra: Mapping[str, Any] | None = None,
) -> list[OutboxMessage]:
    """Unsaved outbox messages telling the citizens of new appeals about ``event``, for the caller to insert with
    the appeals and then pass to :func:`schedule_deliveries`. No duplicate check: nothing can have been queued yet
    for an appeal that did not exist. Appeals whose citizen cannot or need not be told are skipped (see
    :func:`notify_citizen`)."""
    now = clock.now()
    messages = []
    for appeal in appeals:
        phone = pii.normalize_phone(appeal.citizen_phone or "")
        reason = rules.skip_reason(phone=phone, wants_reply=appeal.wants_reply, event=event, channel=channel)
        if reason is not None:
            logger.debug("notification skipped appeal=%s event=%s reason=%s", appeal.tracking_no, event, reason)
            continue
        body = render_message(appeal=appeal, event=event, channel=channel, extra=extra)
        key = _dedupe_key(appeal=appeal, event=event, channel=channel, body=body, dedupe=None)
        messages.append(
            _outbox_message(appeal=appeal, event=event, channel=channel, phone=phone, body=body, key=key, now=now)
        )
    return messages


def _outbox_message(
    *, appeal: NotifiableAppeal, event: str, channel: str, phone: str, body: str, key: str, now: dt.datetime
) -> OutboxMessage:
    """An unsaved message for the citizen of ``appeal``, due at once."""
    return new_instance(
        OutboxMessage,
        channel=channel,
        recipient=phone,
        event=event,
        appeal=appeal,
        body=body,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        dedupe_key=key,
        created_at=now,
    )


def schedule_deliveries(messages: list[OutboxMessage]) -> None:
    """Ask for the delivery of saved messages: one task for all of them, written like :func:`_schedule_delivery`."""
    if not messages:
        return
    if len(messages) == 1:
        _schedule_delivery(messages[0].pk)
    elif _queue_is_transactional():
        enqueue_deliveries([m.pk for m in messages])
    else:
        transaction.on_commit(partial(enqueue_deliveries, [m.pk for m in messages]), robust=True)


def _schedule_delivery(message_id: int) -> None:
    """With the database queue the task row is written in the caller's transaction (it commits or rolls back with
    the message: no extra commit); any other backend is asked after commit."""
    if _queue_is_transactional():
        enqueue_delivery(message_id)
    else:
        transaction.on_commit(partial(enqueue_delivery, message_id), robust=True)


def _queue_is_transactional() -> bool:
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def delivery_task_row(messages: list[OutboxMessage]) -> Any | None:
    """The database queue's row asking a worker to deliver ``messages`` (ids already set), unsaved, for a caller
    that inserts it together with them (intake: one statement for everything). None when there is nothing to send
    or the queue is not the database: then call :func:`schedule_deliveries` once the messages are written. Once
    the row is in, pass it to :func:`shanzhi.core.task_rows.announce`."""
    from shanzhi.notifications.tasks import deliver_message, deliver_messages

    if not messages or not _queue_is_transactional():
        return None
    try:
        if len(messages) == 1:
            return task_row(deliver_message, messages[0].pk)
        return task_row(deliver_messages, [m.pk for m in messages])
    except Exception as error:  # a queue configured in a way only enqueue handles: the caller schedules instead
        logger.warning("delivery task row not built (%s); scheduling after the write", type(error).__name__)
        return None


def enqueue_deliveries(message_ids: list[int]) -> None:
    """Ask a worker to deliver several messages now (one task). If the queue is unavailable, the sweep sends them."""
    from shanzhi.notifications.tasks import deliver_messages

    try:
        deliver_messages.enqueue(message_ids)
    except Exception as error:
        logger.warning(
            "notifications %s…: delivery not enqueued (%s); the sweep will send them",
            message_ids[:3],
            type(error).__name__,
        )


def enqueue_delivery(message_id: int) -> None:
    """Ask a worker to deliver one message now. If the queue is unavailable, the periodic sweep will send it."""
    from shanzhi.notifications.tasks import deliver_message

    try:
        deliver_message.enqueue(message_id)
    except Exception as error:
        logger.warning(
            "notification %s: delivery not enqueued (%s); the sweep will send it", message_id, type(error).__name__
        )


def outbox_requeue(*, message_ids: Iterable[int], now: dt.datetime) -> int:
    """Give ``failed``/``dead`` messages a fresh set of attempts (after a gateway outage is over)."""
    ids = list(message_ids)
    with transaction.atomic():
        count = OutboxMessage.objects.filter(pk__in=ids, state__in=(OutboxState.FAILED, OutboxState.DEAD)).update(
            state=OutboxState.PENDING, attempts=0, next_attempt_at=now
        )
    logger.info("notifications requeued: %d", count)
    return count
