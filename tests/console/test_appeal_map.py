"""The appeal page carries a small map: the appeal's point and its grid's boundary, on the configured base layer,
drawn by a static script from json_script data (no inline script under the CSP)."""

from __future__ import annotations

import json
import re

import pytest
from desk import boundaries_create
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def boundaries(desk):
    boundaries_create(desk.district)


def map_data(html: str) -> dict:
    match = re.search(r'<script id="appeal-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_page_has_the_point_the_grid_and_the_tiles(desk, intake, login, settings):
    settings.SHANZHI_MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    appeal = intake(longitude=106.78, latitude=39.65)
    html = login(desk.operator).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert 'id="appeal-map"' in html and "console/appeal_map.js" in html
    data = map_data(html)
    assert data["point"] == [39.65, 106.78]
    assert data["area"]["type"] == "Polygon"
    assert data["tiles"] == "https://tiles.example.test/{z}/{x}/{y}.png"


def test_the_grid_alone_when_there_are_no_coordinates(desk, intake, login):
    appeal = intake()
    data = map_data(login(desk.operator).get(reverse("console:appeal", args=[appeal.pk])).content.decode())
    assert data["point"] is None and data["area"]["type"] == "Polygon"


def test_no_map_without_a_place(desk, intake, login):
    appeal = intake(area=None, category=desk.road_light)
    html = login(desk.operator).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert 'id="appeal-map"' not in html
