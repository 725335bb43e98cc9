"""GeoJSON import of surveyed grids: a new boundary version when the file is sound; a precise error list and
nothing imported when it is not."""

from __future__ import annotations

import json

import pytest
from desk import GRID_A_BOX, GRID_B_BOX, box
from django.core.files.uploadedfile import SimpleUploadedFile

from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.grid.boundary_import import grids_import
from shanzhi.grid.models import GridImport
from shanzhi.orgs.models import Boundary, Unit
from shanzhi.places.services import invalidate, location_resolve

pytestmark = pytest.mark.django_db

A = "150302001002"  # 和平社区 (106.75–106.82)
B = "150302003012"  # 清泉社区 (106.82–106.90)


@pytest.fixture
def surveyed(field):
    Boundary.objects.create(unit=field.district.community_a, geojson=box(*GRID_A_BOX))
    Boundary.objects.create(unit=field.district.community_b, geojson=box(*GRID_B_BOX))
    return field


def feature(code: str, geometry: dict, name: str = "") -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Boundary.objects.count(), GridImport.objects.count()


def test_a_sound_file_becomes_the_new_version_and_keeps_the_old(surveyed):
    grid_a = surveyed.district.grid_a
    data = collection(
        feature(f"{A}001", box(106.75, 39.60, 106.785, 39.75), "和平社区第1网格"),
        feature(f"{A}002", box(106.785, 39.60, 106.82, 39.75), "和平社区第2网格"),
    )
    record = grids_import(actor=surveyed.admin, geojson=data, filename="survey.geojson")
    assert record.feature_count == 2 and record.created_units == 1
    assert record.versions == {f"{A}001": 2, f"{A}002": 1}
    versions = list(grid_a.boundaries.order_by("version").values_list("version", "is_current", "is_demo"))
    assert versions == [(1, False, False), (2, True, False)]
    new = Unit.objects.get(code=f"{A}002")
    assert new.parent == surveyed.district.community_a and new.name == "和平社区第2网格"
    invalidate()
    assert location_resolve(longitude=106.80, latitude=39.68).grid == new
    assert location_resolve(longitude=106.76, latitude=39.68).grid == grid_a


def test_a_broken_file_gives_every_error_by_feature_and_imports_nothing(surveyed):
    not_closed = {"type": "Polygon", "coordinates": [[[106.76, 39.61], [106.77, 39.61], [106.77, 39.62]]]}
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[106.76, 39.70], [106.78, 39.72], [106.78, 39.70], [106.76, 39.72], [106.76, 39.70]]],
    }
    data = collection(
        feature(f"{A}001", box(106.75, 39.60, 106.80, 39.66), "一"),
        feature(f"{A}002", box(106.79, 39.60, 106.82, 39.66), "二"),  # overlaps 001 by 0.01°
        feature(f"{A}003", box(106.80, 39.67, 106.86, 39.69), "三"),  # two thirds in 清泉社区
        feature(f"{A}004", not_closed, "四"),
        feature(f"{A}005", bowtie, "五"),
        feature("150302999999001", box(106.76, 39.61, 106.77, 39.62), "六"),  # no such community
        feature("12345", box(106.76, 39.61, 106.77, 39.62), "七"),
    )
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        grids_import(actor=surveyed.admin, geojson=data)
    assert refused.value.code == "grid_import_invalid"
    errors = refused.value.details["errors"]
    assert [(e["feature"], e["code"], e["error"]) for e in errors] == [
        (1, f"{A}001", "overlap"),
        (3, f"{A}003", "outside_community"),
        (3, f"{A}003", "overlap"),  # …and so it overlaps the existing grid of 清泉社区
        (4, f"{A}004", "invalid_ring"),
        (5, f"{A}005", "invalid_ring"),
        (6, "150302999999001", "unknown_community"),
        (7, "12345", "invalid_code"),
    ]
    messages = [e["message"] for e in errors]
    assert "与第 2 个要素（网格 150302001002002）重叠" in messages[0]
    assert "超出所属社区（150302001002）范围" in messages[1] and "66.7%" in messages[1]
    assert "现有网格 150302003012001" in messages[2]
    assert "环只有 3 个点" in messages[3]
    assert "Self-intersection" in messages[4]
    assert "社区 150302999999 不存在" in messages[5]
    assert "7 条" not in refused.value.message and "7 处错误" in str(refused.value.message)
    assert counts() == before
    assert surveyed.district.grid_a.boundaries.get().is_current


def test_an_unclosed_ring_is_named(surveyed):
    ring = [[106.76, 39.61], [106.77, 39.61], [106.77, 39.62], [106.76, 39.62]]
    data = collection(feature(f"{A}001", {"type": "Polygon", "coordinates": [ring]}))
    with pytest.raises(ValidationFailed) as refused:
        grids_import(actor=surveyed.admin, geojson=data)
    assert refused.value.details["errors"][0]["message"].endswith("环未闭合：首点与末点不同")


def test_gaps_when_the_community_must_be_covered(surveyed):
    data = collection(feature(f"{A}001", box(106.75, 39.60, 106.82, 39.70)))
    with pytest.raises(ValidationFailed) as refused:
        grids_import(actor=surveyed.admin, geojson=data, full_cover=True)
    [error] = refused.value.details["errors"]
    assert error["error"] == "gap" and "33.3%" in error["message"]
    assert grids_import(actor=surveyed.admin, geojson=data).feature_count == 1  # gaps allowed unless asked


def test_without_a_community_polygon_the_district_bounds_it(field):
    data = collection(feature(f"{A}001", box(106.70, 39.60, 106.80, 39.75)))
    with pytest.raises(ValidationFailed) as refused:
        grids_import(actor=field.admin, geojson=data)
    [error] = refused.value.details["errors"]
    assert error["error"] == "outside_community" and "超出所属本区" in error["message"]


def test_not_a_feature_collection(field):
    with pytest.raises(ValidationFailed) as refused:
        grids_import(actor=field.admin, geojson={"type": "Polygon", "coordinates": []})
    assert refused.value.details["errors"][0]["error"] == "not_feature_collection"


def test_only_administrators_import(surveyed, login):
    data = collection(feature(f"{A}001", box(106.75, 39.60, 106.80, 39.75)))
    with pytest.raises(PermissionDenied):
        grids_import(actor=surveyed.leader, geojson=data)
    answer = login(surveyed.leader).post("/api/v1/grid/imports", json.dumps(data), content_type="application/json")
    assert answer.status_code == 403
    assert GridImport.objects.count() == 0


def test_the_api_and_the_console_list_the_errors(surveyed, login):
    data = collection(
        feature(f"{A}001", box(106.75, 39.60, 106.80, 39.75)),
        feature(f"{A}002", box(106.79, 39.60, 106.82, 39.75), "和平社区第2网格"),
    )
    answer = login(surveyed.admin).post("/api/v1/grid/imports", json.dumps(data), content_type="application/json")
    assert answer.status_code == 422 and answer.json()["details"]["errors"][0]["error"] == "overlap"
    client = login(surveyed.admin)
    upload = SimpleUploadedFile("survey.geojson", json.dumps(data).encode(), content_type="application/geo+json")
    page = client.post("/console/grid/import/", {"file": upload}, follow=True)
    text = page.content.decode()
    assert "未导入任何网格" in text and "与第 2 个要素（网格 150302001002002）重叠" in text
    assert GridImport.objects.count() == 0
    good = collection(feature(f"{A}001", box(106.75, 39.60, 106.82, 39.75)))
    upload = SimpleUploadedFile("survey.geojson", json.dumps(good).encode(), content_type="application/geo+json")
    page = client.post("/console/grid/import/", {"file": upload}, follow=True)
    assert "已导入 1 个网格的新边界" in page.content.decode()
    assert GridImport.objects.get().filename == "survey.geojson"
