"""Two workers sweeping the outbox at the same time: every message reaches the city once (row claims under a lease,
SKIP LOCKED on PostgreSQL; SQLite serialises the claimers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shanzhi.core import clock
from shanzhi.exchange.delivery import deliveries_send
from shanzhi.exchange.models import Delivery, DeliveryState
from shanzhi.exchange.services import order_receive

from .conftest import order


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_message_once(exchange, city):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads need a database file or PostgreSQL (an in-memory SQLite is per connection)")
    city.down = True  # the acceptances are written but wait
    for n in range(30):
        order_receive(actor=exchange.city_user, order=order(f"SH-C-{n:03d}"))
    city.down = False
    Delivery.objects.update(next_attempt_at=clock.now())
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            deliveries_send(now=clock.now(), limit=30)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    deliveries_send(now=clock.now())  # whatever a locked-out worker left
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 30
    assert len(city.message_ids()) == 30 and len(set(city.message_ids())) == 30 and city.duplicates == []
