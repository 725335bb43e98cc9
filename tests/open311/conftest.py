"""The Open311 server on the shared desk: boundaries, integration keys, and extra questions of 路灯损坏."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from desk import Desk, boundaries_create
from django.test import Client

from shanzhi.open311.models import ServiceAttribute
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create

JURISDICTION = "150302000000"


@dataclass
class O311:
    desk: Desk
    key_centre: str  # integration of the centre (sees everything)
    key_town_b: str  # integration of 新华街道 (sees town B only)
    key_handler: str  # a handler: may not take in appeals

    def __getattr__(self, name: str) -> Any:
        return getattr(self.desk, name)


@pytest.fixture(autouse=True)
def _keys_cache():
    apikey_cache_clear()
    yield
    apikey_cache_clear()


@pytest.fixture
def o311(desk: Desk, make_user) -> O311:
    boundaries_create(desk.district)
    centre = make_user(desk.district.centre, "integration", username="o311-centre")
    town_b = make_user(desk.district.town_b, "integration", username="o311-b")
    ServiceAttribute.objects.create(
        category=desk.road_light, code="pole_no", description="灯杆编号", datatype="string", order=1
    )
    ServiceAttribute.objects.create(
        category=desk.road_light,
        code="fault",
        description="故障类型",
        datatype="singlevaluelist",
        required=True,
        order=2,
        values=[{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
    )
    ServiceAttribute.objects.create(
        category=desk.road_light,
        code="when",
        description="发现时间",
        datatype="datetime",
        order=3,
    )
    ServiceAttribute.objects.create(
        category=desk.road_light,
        code="nearby",
        description="附近设施",
        datatype="multivaluelist",
        order=4,
        values=[{"key": "school", "name": "学校"}, {"key": "park", "name": "公园"}],
    )
    ServiceAttribute.objects.create(
        category=desk.road_light, code="count", description="不亮的盏数", datatype="number", order=5
    )
    ServiceAttribute.objects.create(
        category=desk.road_light, code="note", description="补充说明", datatype="text", order=6
    )
    ServiceAttribute.objects.create(
        category=desk.road_light,
        code="hint",
        description="夜间请注意安全",
        datatype="string",
        variable=False,
        order=7,
    )
    return O311(
        desk=desk,
        key_centre=apikey_create(user=centre, name="civic app")[1],
        key_town_b=apikey_create(user=town_b, name="town b app")[1],
        key_handler=apikey_create(user=desk.urban_handler, name="handler")[1],
    )


def get(path: str, **params: Any):  # type: ignore[no-untyped-def]
    return Client().get(f"/open311/v2/{path}", params)


def post(path: str, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return Client().post(f"/open311/v2/{path}", data)


def xml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def as_json(response) -> Any:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def xml_items(root: ET.Element) -> list[dict[str, Any]]:
    """The children of a list root as dicts of their direct children's text (nested lists kept as elements)."""
    return [{child.tag: (child.text or "") if len(child) == 0 else child for child in item} for item in root]


def error_of(response, fmt: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """(code, description) of a specification error answer, checking its shape."""
    if fmt == "json":
        body = as_json(response)
        assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
        return body[0]["code"], body[0]["description"]
    root = xml(response)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    fields = {child.tag: child.text or "" for child in root[0]}
    assert set(fields) == {"code", "description"}
    return int(fields["code"]), fields["description"]
