"""Background work of the exchange: send one delivery after its commit; the periodic sweep (retries, and anything
whose task was lost); the poller of the city's order list."""

from __future__ import annotations

from django.tasks import task

from shanzhi.core import clock
from shanzhi.exchange import delivery, services


@task()
def deliver(delivery_id: int) -> dict[str, int]:
    return delivery.deliveries_send(now=clock.now(), delivery_id=delivery_id).as_dict()


@task()
def deliver_outbox() -> dict[str, int]:
    return delivery.deliveries_send(now=clock.now()).as_dict()


@task()
def poll_city_orders() -> dict[str, int]:
    actor = services.poll_actor()
    if actor is None:
        return {"taken": 0, "existing": 0, "failed": 0}
    return services.orders_poll(actor=actor, now=clock.now())


@task()
def queue_new_appeals_for_webhooks() -> int:
    return services.webhooks_queue_new_appeals(now=clock.now())
