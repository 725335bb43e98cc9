"""Background work of the outbox.

``deliver_message`` (``deliver_messages`` for a batch) is enqueued after the commit that wrote a message;
``deliver_outbox`` is the periodic sweep (registered with the scheduler as
``shanzhi.notifications.tasks.deliver_outbox``, every minute or so) that sends retries and anything whose task was
lost.
"""

from __future__ import annotations

from django.tasks import task

from shanzhi.core import clock
from shanzhi.notifications import delivery

SWEEP_LIMIT = 500


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message now, if it is still due; returns its state afterwards."""
    return str(delivery.outbox_deliver_message(message_id=message_id, now=clock.now()))


@task()
def deliver_messages(message_ids: list[int]) -> dict[str, str]:
    """Deliver several outbox messages written together (a batch intake); returns each one's state afterwards."""
    now = clock.now()
    return {str(pk): str(delivery.outbox_deliver_message(message_id=pk, now=now)) for pk in message_ids}


@task()
def deliver_outbox() -> dict[str, int]:
    """Send every due message (up to a limit per run); returns the counts."""
    return delivery.outbox_deliver(now=clock.now(), limit=SWEEP_LIMIT).as_dict()
