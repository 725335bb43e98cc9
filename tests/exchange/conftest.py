"""The exchange on the shared desk, with the city played by the local simulator (a real HTTP server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from desk import Desk

from shanzhi.exchange.simulator import CitySimulator
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import User

SECRET = "city-shared-secret-for-tests"


@dataclass
class Exchange:
    desk: Desk
    city_user: User  # the city's integration account at the centre
    city_key: str
    town_b_key: str  # an integration of 新华街道: outside the scope of town A's appeals

    def __getattr__(self, name: str) -> Any:
        return getattr(self.desk, name)


@pytest.fixture
def city() -> Iterator[CitySimulator]:
    with CitySimulator(SECRET) as simulator:
        yield simulator


@pytest.fixture
def exchange(desk: Desk, make_user, settings, city: CitySimulator) -> Exchange:
    apikey_cache_clear()
    settings.SHANZHI = {
        **settings.SHANZHI,
        "EXCHANGE_SECRET": SECRET,
        "EXCHANGE_CITY_URL": city.url,
        "EXCHANGE_MAX_ATTEMPTS": 4,
        "EXCHANGE_RETRY_BASE_SECONDS": 60,
        "EXCHANGE_POLL_USER": "city12345",
    }
    city_user = make_user(desk.district.centre, "integration", username="city12345")
    town_b = make_user(desk.district.town_b, "integration", username="ex-b")
    return Exchange(
        desk=desk,
        city_user=city_user,
        city_key=apikey_create(user=city_user, name="市12345平台")[1],
        town_b_key=apikey_create(user=town_b, name="town b")[1],
    )


def order(order_id: str = "SH-20261204-0001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order_id,
        "title": "路灯不亮",
        "content": "和平社区门口路灯不亮已经一周",
        "category": "010101",
        "appeal_type": "complaint",
        "citizen_name": "李四",
        "citizen_phone": "13900001111",
        "address": "凤凰岭街道和平社区",
        "area_code": "150302001002001",
    }
    body.update(overrides)
    return body
