"""The API on the shared desk (``tests/desk.py``) with district and grid boundaries and API keys per role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from desk import Desk, boundaries_create
from django.contrib.auth.models import Group
from django.test import Client

from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.models import Category


class ApiClient:
    """A test client that sends one API key (or none) and JSON bodies."""

    def __init__(self, key: str | None = None, *, header: str = "x-api-key", **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if key is not None:
            self.headers[header] = f"Bearer {key}" if header == "authorization" else key

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: dict[str, Any] | None = None, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@dataclass
class ApiDesk:
    """The shared desk plus API keys: integrations of town A, town B and the centre, and the desk's staff."""

    district: Any
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 (catalogue rule, 住建局 assisting)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (town)
    integration_a: User  # integration key user of 凤凰岭街道 (town A)
    integration_b: User  # integration key user of 新华街道 (town B)
    centre_integration: User
    dispatcher: User  # the desk's dispatcher, here also an operator
    urban_handler: User
    keys: dict[str, str]

    def client(self, name: str, **kw: Any) -> ApiClient:
        return ApiClient(self.keys[name], **kw)


@pytest.fixture(autouse=True)
def _api_env():
    apikey_cache_clear()
    yield
    apikey_cache_clear()


@pytest.fixture
def desk(desk: Desk, make_user) -> ApiDesk:
    district = desk.district
    boundaries_create(district)
    desk.dispatcher.groups.add(Group.objects.get_or_create(name="operator")[0])
    dispatcher = User.objects.get(pk=desk.dispatcher.pk)
    users = {
        "a": make_user(district.town_a, "integration", username="int-a"),
        "b": make_user(district.town_b, "integration", username="int-b"),
        "centre": make_user(district.centre, "integration", username="int-centre"),
        "dispatcher": dispatcher,
        "urban": desk.urban_handler,
        "pd": make_user(district.centre, "integration", username="int-pd", personal_data=True),
    }
    keys = {name: apikey_create(user=user, name=f"测试 {name}")[1] for name, user in users.items()}
    return ApiDesk(
        district=district,
        road_light=desk.road_light,
        property_service=desk.property_service,
        integration_a=users["a"],
        integration_b=users["b"],
        centre_integration=users["centre"],
        dispatcher=dispatcher,
        urban_handler=desk.urban_handler,
        keys=keys,
    )


def appeal_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "open311",
        "content": "和平小区3号楼电梯停运两天，物业不处理",
        "category": "010201",
        "citizen_name": "张三丰",
        "citizen_phone": "13812345678",
        "address": "凤凰岭街道和平小区3号楼",
        "area_code": "150302001002001",  # 和平社区第1网格 (town A)
    }
    body.update(overrides)
    return body


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)
