"""Inbound orders (signature, idempotency, refusals, the poller), the outbox's retries and dead letters, the
console's dead-letter desk, scope, and webhooks — against the simulated city over real HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.test import Client

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.unit_work import assignment_sign
from shanzhi.core import clock
from shanzhi.exchange import rules
from shanzhi.exchange.delivery import deliveries_send
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState, OrderVia
from shanzhi.exchange.services import order_receive, orders_poll, webhook_subscribe

from .conftest import SECRET, order

pytestmark = pytest.mark.django_db


def push(exchange, body: dict, *, secret: str = SECRET, key: str | None = None):  # type: ignore[no-untyped-def]
    raw = json.dumps(body, ensure_ascii=False).encode()
    return Client().post(
        "/api/v1/exchange/orders",
        raw,
        content_type="application/json",
        headers={"X-Api-Key": key or exchange.city_key, "X-Exchange-Signature": rules.sign(secret, raw)},
    )


def test_signature_is_hmac_sha256_of_the_raw_body():
    body = b'{"order_id": "X"}'
    expected = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert rules.sign("k", body) == expected
    assert rules.signature_valid("k", body, expected)
    assert not rules.signature_valid("k", body + b" ", expected)
    assert not rules.signature_valid("", body, expected)


def test_push_idempotent_by_the_city_order_id(exchange):
    first = push(exchange, order())
    assert first.status_code == 201 and first.json()["status"] == "created"
    second = push(exchange, order(content="改过的内容"))
    assert second.status_code == 200 and second.json()["tracking_no"] == first.json()["tracking_no"]
    assert CityOrder.objects.count() == 1 and Appeal.objects.count() == 1
    appeal = Appeal.objects.get()
    assert appeal.external_ref == "SH-20261204-0001" and appeal.content == "和平社区门口路灯不亮已经一周"
    # One acceptance queued for the city, not two.
    assert list(Delivery.objects.values_list("event_kind", flat=True)) == ["accepted"]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"secret": "wrong"}, 403, "invalid_signature"),
        ({"body": {**order(), "citizen_phone": "123"}}, 422, "invalid_phone"),
        ({"body": {**order(), "category": "9999"}}, 422, "unknown_category"),
    ],
)
def test_push_refusals_write_nothing(exchange, kwargs, status, code):
    body = kwargs.pop("body", order())
    response = push(exchange, body, **kwargs)
    assert response.status_code == status and response.json()["code"] == code
    assert not CityOrder.objects.exists() and not Appeal.objects.exists() and not Delivery.objects.exists()


def test_push_needs_a_configured_secret_and_an_intake_role(exchange, settings, make_user):
    from shanzhi.orgs.apikeys import apikey_create

    handler_key = apikey_create(user=exchange.urban_handler, name="handler")[1]
    assert push(exchange, order(), key=handler_key).json()["code"] == "exchange_not_allowed"
    settings.SHANZHI = {**settings.SHANZHI, "EXCHANGE_SECRET": ""}
    response = push(exchange, order())
    assert response.status_code == 403 and response.json()["code"] == "exchange_not_configured"
    assert not Appeal.objects.exists()


def test_the_poller_takes_new_orders_once(exchange, city):
    city.orders = [order("SH-P-1"), order("SH-P-2", content="第二件：清泉小区垃圾", category="010201")]
    counts = orders_poll(actor=exchange.city_user, now=clock.now())
    assert counts == {"taken": 2, "existing": 0, "failed": 0}
    assert set(CityOrder.objects.values_list("via", flat=True)) == {OrderVia.PULL}
    assert orders_poll(actor=exchange.city_user, now=clock.now()) == {"taken": 0, "existing": 0, "failed": 0}
    city.orders.append(order("SH-P-1"))  # the city lists one again
    assert orders_poll(actor=exchange.city_user, now=clock.now()) == {"taken": 0, "existing": 1, "failed": 0}
    assert CityOrder.objects.count() == 2
    city.down = True
    assert orders_poll(actor=exchange.city_user, now=clock.now())["failed"] == 1


def test_retries_back_off_then_a_dead_letter_that_the_console_resends(exchange, city, login):
    city_order, _ = order_receive(actor=exchange.city_user, order=order())
    city.down = True
    now = clock.now()
    waits = []
    for _attempt in range(4):  # EXCHANGE_MAX_ATTEMPTS = 4
        deliveries_send(now=now)
        row = Delivery.objects.get()
        if row.next_attempt_at:
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    row = Delivery.objects.get()
    assert row.state == DeliveryState.DEAD and row.attempts == 4 and row.last_error.startswith("http_503")
    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    assert city.received == []

    page = login(exchange.dispatcher).get("/console/exchange/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dead-letters"' in html and city_order.appeal.tracking_no in html and "http_503" in html
    city.down = False
    response = login(exchange.dispatcher).post(f"/console/exchange/deliveries/{row.pk}/resend")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == DeliveryState.PENDING and row.attempts == 0
    assert deliveries_send(now=clock.now()).sent == 1
    assert [m["message_id"] for m in city.received] == [str(row.uid)]


def test_a_message_sent_again_after_a_lost_outcome_is_received_once(exchange, city):
    """A worker stopped after sending but before recording: the lease expires, the message goes again, the city
    answers 409 (it has it) and the message counts as delivered — the city holds it once."""
    order_receive(actor=exchange.city_user, order=order())
    row = Delivery.objects.get()
    deliveries_send(now=clock.now())
    assert len(city.received) == 1
    Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.SENDING, next_attempt_at=clock.now())
    deliveries_send(now=clock.now() + dt.timedelta(minutes=6))
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT
    assert len(city.received) == 1 and city.duplicates == [str(row.uid)]


def test_later_messages_wait_for_an_earlier_one_of_the_same_order(exchange, city):
    city_order, _ = order_receive(actor=exchange.city_user, order=order())
    city.down = True
    deliveries_send(now=clock.now())  # the acceptance fails and waits a minute
    lead = city_order.appeal.assignments.get(role="lead")
    assignment_sign(actor=exchange.urban_handler, assignment=lead)
    city.down = False
    deliveries_send(now=clock.now())  # the "signed" status is due, but the acceptance is not yet
    assert city.received == []
    deliveries_send(now=clock.now() + dt.timedelta(minutes=2))
    assert [m["event"] for m in city.received] == ["accepted", "signed"]


def test_console_and_api_scope(exchange, city, login, make_user):
    order_receive(actor=exchange.city_user, order=order())
    # An integration of town B sees neither the order nor its messages (the appeal is in town A).
    client = Client(headers={"X-Api-Key": exchange.town_b_key})
    assert client.get("/api/v1/exchange/orders").json() == []
    assert client.get("/api/v1/exchange/deliveries").json() == []
    row = Delivery.objects.get()
    assert client.post(f"/api/v1/exchange/deliveries/{row.pk}/resend").status_code == 404
    # The city's own account sees them.
    mine = Client(headers={"X-Api-Key": exchange.city_key}).get("/api/v1/exchange/deliveries").json()
    assert [d["event"] for d in mine] == ["accepted"] and mine[0]["state"] == "pending"
    # A handler may not open the desk.
    assert login(exchange.urban_handler).get("/console/exchange/").status_code == 403


def test_webhooks_signed_and_without_personal_data(exchange, city, make_user):
    admin = make_user(exchange.district.centre, "admin", username="admin1")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    sub, secret = webhook_subscribe(actor=admin, name="区大数据局", url=f"{city.url}/hooks", events=["signed"])
    city_order, _ = order_receive(actor=exchange.city_user, order=order())
    lead = city_order.appeal.assignments.get(role="lead")
    assignment_sign(actor=exchange.urban_handler, assignment=lead)
    hooks = Delivery.objects.filter(subscription=sub)
    assert [d.event_kind for d in hooks] == ["signed"]
    deliveries_send(now=clock.now())
    [(headers, body)] = city.hooks
    assert headers[rules.WEBHOOK_SIGNATURE_HEADER] == rules.sign(secret, body)
    payload = json.loads(body)
    assert payload["event"] == "signed" and payload["tracking_no"] == city_order.appeal.tracking_no
    assert "13900001111" not in body.decode() and "李四" not in body.decode()
    assert headers["Idempotency-Key"] == payload["id"]


def test_only_administrators_subscribe(exchange, make_user):
    from shanzhi.core.errors import PermissionDenied, ValidationFailed

    for actor in (exchange.dispatcher, exchange.leader):
        with pytest.raises(PermissionDenied):
            webhook_subscribe(actor=actor, name="x", url="https://example.org/h")
    admin = make_user(exchange.district.centre, "admin", username="admin2")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    with pytest.raises(ValidationFailed):
        webhook_subscribe(actor=admin, name="x", url="https://example.org/h", events=["nonsense"])
    with pytest.raises(ValidationFailed):
        webhook_subscribe(actor=admin, name="x", url="ftp://example.org/h")


def test_the_console_menu_shows_the_desk_to_those_who_manage_it(exchange, login):
    assert "/console/exchange/" in login(exchange.dispatcher).get("/console/").content.decode()
    handler = login(exchange.urban_handler).get("/console/")
    assert handler.status_code == 200 and 'href="/console/"' in handler.content.decode()  # the menu it meant
    assert "/console/exchange/" not in handler.content.decode()


def test_webhooks_through_the_api_and_the_periodic_jobs(exchange, city, make_user):
    from shanzhi.core import periodic
    from shanzhi.orgs.apikeys import apikey_create

    admin = make_user(exchange.district.centre, "admin", username="admin3")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client = Client(headers={"X-Api-Key": apikey_create(user=admin, name="admin")[1]})
    created = client.post(
        "/api/v1/exchange/webhooks",
        {"name": "区融媒体中心", "url": f"{city.url}/hooks", "events": ["accepted"]},
        content_type="application/json",
    )
    assert created.status_code == 201 and len(created.json()["secret"]) >= 32
    listed = client.get("/api/v1/exchange/webhooks").json()
    assert [w["name"] for w in listed] == ["区融媒体中心"] and listed[0]["secret"] is None  # shown once only
    other = Client(headers={"X-Api-Key": exchange.town_b_key})
    assert other.get("/api/v1/exchange/webhooks").json() == []
    assert other.post("/api/v1/exchange/webhooks", {"name": "x", "url": "https://e.org/h"},
                      content_type="application/json").status_code == 403  # fmt: skip
    jobs = {job.name: job.task for job in periodic.jobs()}
    assert jobs["exchange.deliver_outbox"] == "shanzhi.exchange.tasks.deliver_outbox"
    assert jobs["exchange.poll_city_orders"] == "shanzhi.exchange.tasks.poll_city_orders"


def test_subscribers_hear_of_new_appeals_once(exchange, city, make_user, intake):
    from shanzhi.exchange.services import webhooks_queue_new_appeals

    admin = make_user(exchange.district.centre, "admin", username="admin4")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    _sub, secret = webhook_subscribe(actor=admin, name="订阅", url=f"{city.url}/hooks", events=["received"])
    appeal = intake()
    assert webhooks_queue_new_appeals(now=clock.now()) == 1
    assert webhooks_queue_new_appeals(now=clock.now()) == 0  # the next scan finds it queued already
    deliveries_send(now=clock.now())
    [(headers, body)] = city.hooks
    payload = json.loads(body)
    assert payload["event"] == "received" and payload["tracking_no"] == appeal.tracking_no
    assert headers[rules.WEBHOOK_SIGNATURE_HEADER] == rules.sign(secret, body)


def test_settings_come_from_the_environment_when_the_settings_module_has_none(settings, monkeypatch):
    from shanzhi.exchange.adapters import HttpCityAdapter, UnconfiguredCityAdapter, city_adapter

    settings.SHANZHI = {k: v for k, v in settings.SHANZHI.items() if not k.startswith("EXCHANGE_")}
    monkeypatch.delenv("SHANZHI_EXCHANGE_CITY_URL", raising=False)
    assert isinstance(city_adapter(), UnconfiguredCityAdapter)
    monkeypatch.setenv("SHANZHI_EXCHANGE_CITY_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("SHANZHI_EXCHANGE_SECRET", "s")
    adapter = city_adapter()
    assert isinstance(adapter, HttpCityAdapter) and adapter.base_url == "http://127.0.0.1:9" and adapter.secret == "s"
