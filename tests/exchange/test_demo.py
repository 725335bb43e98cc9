"""The demo modules of the exchange and the Open311 server are idempotent."""

from __future__ import annotations

import pytest

from shanzhi.core import clock
from shanzhi.exchange.demo import demo_load as exchange_demo
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState
from shanzhi.open311.demo import demo_load as open311_demo
from shanzhi.open311.models import ServiceAttribute
from shanzhi.routing.models import Category

pytestmark = pytest.mark.django_db


def test_exchange_demo_is_idempotent(desk):
    exchange_demo(seed=1, now=clock.now(), scale="demo")
    exchange_demo(seed=1, now=clock.now(), scale="demo")
    assert CityOrder.objects.count() == 3
    assert Delivery.objects.filter(state=DeliveryState.DEAD).count() == 1


def test_open311_demo_is_idempotent(db):
    Category.objects.create(code="020501", name="路灯不亮")
    open311_demo(seed=1, now=clock.now(), scale="demo")
    open311_demo(seed=1, now=clock.now(), scale="demo")
    assert ServiceAttribute.objects.count() == 3
