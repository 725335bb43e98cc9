"""The API against a working desk: categories, a catalogue, district and grid boundaries, and API keys per role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings

from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import Boundary, Unit, User
from shanzhi.routing.models import Category


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


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
class Desk:
    district: Any
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 (catalogue rule, 住建局 assisting)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (town)
    integration_a: User  # integration key user of 凤凰岭街道 (town A)
    integration_b: User  # integration key user of 新华街道 (town B)
    centre_integration: User
    dispatcher: User
    urban_handler: User
    keys: dict[str, str]

    def client(self, name: str, **kw: Any) -> ApiClient:
        return ApiClient(self.keys[name], **kw)


# Two grids side by side inside a district box (roughly 海勃湾区).
DISTRICT_BOX = (106.75, 39.60, 106.90, 39.75)
GRID_A_BOX = (106.75, 39.60, 106.82, 39.75)
GRID_B_BOX = (106.82, 39.60, 106.90, 39.75)
POINT_IN_A = (106.80, 39.68)
POINT_IN_B = (106.85, 39.68)
POINT_OUTSIDE = (106.60, 39.40)  # inside China, outside the district


@pytest.fixture(autouse=True)
def _api_env():
    apikey_cache_clear()
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}):
        yield
    apikey_cache_clear()


def _boundaries(district: Any) -> None:
    Boundary.objects.create(unit=district.district, geojson=box(*DISTRICT_BOX))
    Boundary.objects.create(unit=district.grid_a, geojson=box(*GRID_A_BOX))
    Boundary.objects.create(unit=district.grid_b, geojson=box(*GRID_B_BOX))


@pytest.fixture
def desk(district, make_user, seed_catalogue) -> Desk:
    catalogue = seed_catalogue(assisting=True)
    _boundaries(district)
    users = {
        "a": make_user(district.town_a, "integration", username="int-a"),
        "b": make_user(district.town_b, "integration", username="int-b"),
        "centre": make_user(district.centre, "integration", username="int-centre"),
        "dispatcher": make_user(district.centre, "dispatcher", "operator", username="disp"),
        "urban": make_user(district.dept_urban, "handler", username="cg"),
        "pd": make_user(district.centre, "integration", username="int-pd", personal_data=True),
    }
    keys = {name: apikey_create(user=user, name=f"测试 {name}")[1] for name, user in users.items()}
    return Desk(
        district=district,
        road_light=catalogue.road_light,
        property_service=catalogue.property_service,
        integration_a=users["a"],
        integration_b=users["b"],
        centre_integration=users["centre"],
        dispatcher=users["dispatcher"],
        urban_handler=users["urban"],
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
