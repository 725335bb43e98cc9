"""The exchange round trip over real HTTP: the simulated city pushes an order to the running application, the
centre handles it, and its statuses and result go back; while the city is down they wait, and after it comes back
each is delivered once, in order."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.services import appeal_follow_up, appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.core import clock
from shanzhi.exchange.delivery import deliveries_send
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState

from .conftest import order


@pytest.mark.django_db(transaction=True)
def test_order_in_result_out_and_nothing_lost_while_the_city_is_down(live_server, exchange, city):
    inbound = f"{live_server.url}/api/v1/exchange/orders"
    status, body = city.push_order(inbound, order(), api_key=exchange.city_key)
    assert status == 201 and body["status"] == "created", body
    tracking_no = body["tracking_no"]
    # The city pushes the same order again (its own retry): the same appeal, nothing new.
    status, again = city.push_order(inbound, order(), api_key=exchange.city_key)
    assert status == 200 and again == {**body, "status": "existing"}
    assert CityOrder.objects.count() == 1 and Appeal.objects.filter(external_ref="SH-20261204-0001").count() == 1
    appeal = Appeal.objects.get(tracking_no=tracking_no)
    assert appeal.channel == "city_12345" and appeal.state == AppealState.DISPATCHED
    # The acceptance went out right after the commit (the task runs inline in tests).
    assert [m["event"] for m in city.received] == ["accepted"]
    assert city.received[0]["order_id"] == "SH-20261204-0001" and city.received[0]["state"] == "dispatched"

    # The city goes down while the unit and the centre work.
    city.down = True
    lead = appeal.assignments.get(role="lead")
    assignment_sign(actor=exchange.urban_handler, assignment=lead)
    assignment_feedback(actor=exchange.urban_handler, assignment=lead, text="已更换灯泡", resolved=True)
    appeal_reply(actor=exchange.dispatcher, appeal=Appeal.objects.get(pk=appeal.pk), text="路灯已修复，感谢反映")
    appeal_follow_up(
        actor=exchange.dispatcher, appeal=Appeal.objects.get(pk=appeal.pk), rating="satisfied", resolved=True
    )
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.CLOSED
    waiting = Delivery.objects.exclude(state=DeliveryState.SENT).order_by("id")
    assert [d.event_kind for d in waiting] == ["signed", "feedback", "replied", "closed"]
    assert all(d.state == DeliveryState.PENDING for d in waiting)
    assert len(city.received) == 1 and city.refused >= 1
    # A sweep while it is still down delivers nothing and loses nothing.
    later = clock.now() + dt.timedelta(minutes=10)
    assert deliveries_send(now=later).sent == 0
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 4

    # Back up: the next sweeps deliver everything, in order, each once.
    city.down = False
    much_later = clock.now() + dt.timedelta(hours=3)
    deliveries_send(now=much_later)
    deliveries_send(now=much_later)
    assert [m["event"] for m in city.received] == ["accepted", "signed", "feedback", "replied", "closed"]
    assert len(set(city.message_ids())) == 5 and city.duplicates == []
    result = city.received[3]
    assert (
        result["kind"] == "result" and result["text"] == "路灯已修复，感谢反映" and result["tracking_no"] == tracking_no
    )
    assert city.received[4]["state"] == "closed"
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 5
    # Nothing left to send: another sweep sends nothing twice.
    assert deliveries_send(now=much_later + dt.timedelta(hours=1)).claimed == 0
    assert len(city.received) == 5
