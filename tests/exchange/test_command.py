"""``shanzhi exchange simulate`` pushes demo orders to the running application; ``deliver`` sends the outbox."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shanzhi.appeals.models import Appeal
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState

from .conftest import SECRET


@pytest.mark.django_db(transaction=True)
def test_simulate_pushes_orders_and_deliver_sends(live_server, exchange, city, settings):
    out = io.StringIO()
    call_command(
        "exchange", "simulate", "--port", "0", "--secret", SECRET, "--orders", "2", "--serve-seconds", "0",
        "--target", f"{live_server.url}/api/v1/exchange/orders", "--api-key", exchange.city_key, stdout=out,
    )  # fmt: skip
    assert out.getvalue().count("→ 201") == 2
    assert CityOrder.objects.count() == 2 and Appeal.objects.filter(channel="city_12345").count() == 2
    # Their acceptances went to the configured city (the fixture's simulator) right after each commit.
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2 and len(city.received) == 2
    # Nothing is due any more: ``deliver`` claims nothing and sends nothing twice.
    out = io.StringIO()
    call_command("exchange", "deliver", stdout=out)
    assert '"claimed": 0' in out.getvalue() and len(city.received) == 2
