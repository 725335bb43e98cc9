"""Synthetic demo grids: inside the district, no overlaps, contiguous per community, deterministic."""

from __future__ import annotations

import pytest
from shapely.geometry import box, shape
from shapely.ops import unary_union
from shapely.strtree import STRtree

from shanzhi.demo.grids import Piece, demo_grids_create, partition, short_name
from shanzhi.orgs import loaders
from shanzhi.orgs.models import Boundary, Unit, UnitKind

TOLERANCE = 1e-6  # degrees (~0.1 m): coordinates are stored with 6 decimals


def test_partition_tiles_the_region_in_proportion():
    region = box(0, 0, 4, 2).difference(box(1, 1, 2, 2))
    parts = partition(region, [Piece("a", 1), Piece("b", 2), Piece("c", 1), Piece("d", 3)])
    assert set(parts) == {"a", "b", "c", "d"}
    assert unary_union(list(parts.values())).symmetric_difference(region).area < 1e-9
    for key, weight in (("a", 1), ("b", 2), ("c", 1), ("d", 3)):
        assert parts[key].area == pytest.approx(region.area * weight / 7, rel=1e-6)
    keys = sorted(parts)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert parts[a].intersection(parts[b]).area < 1e-12


def test_short_names():
    assert short_name("和平社区居委会") == "和平社区"
    assert short_name("新地村委会") == "新地村"
    assert short_name("凤凰岭街道") == "凤凰岭街道"


@pytest.fixture
def loaded(db):
    loaders.hierarchy_load()
    return demo_grids_create(seed=1)


@pytest.mark.django_db
def test_every_real_community_gets_3_to_6_grids_with_extended_codes(loaded):
    communities = Unit.objects.filter(kind=UnitKind.COMMUNITY)
    for community in communities:
        grids = list(community.children.filter(kind=UnitKind.GRID).order_by("code"))
        if community.is_virtual:
            assert grids == []
            continue
        assert 3 <= len(grids) <= 6
        for n, grid in enumerate(grids, start=1):
            assert grid.code == f"{community.code}{n:03d}"
            assert grid.name == f"{short_name(community.name)}第{n}网格"
            assert grid.path == f"{community.path}{grid.code}/"
    assert Unit.objects.get(code="150302001002001").name == "和平社区第1网格"
    assert loaded["created"] == Unit.objects.filter(kind=UnitKind.GRID).count()


@pytest.mark.django_db
def test_grids_lie_inside_the_district_and_do_not_overlap(loaded):
    district = shape(Boundary.objects.get(unit__code="150302000000", is_current=True).geojson)
    rows = list(Boundary.objects.filter(unit__kind=UnitKind.GRID, is_current=True).select_related("unit"))
    assert all(row.is_demo for row in rows)
    shapes = [shape(row.geojson) for row in rows]
    inside = district.buffer(TOLERANCE)
    for row, geometry in zip(rows, shapes, strict=True):
        assert geometry.is_valid, row.unit.code
        assert geometry.area > 0
        assert inside.contains(geometry), row.unit.code
        point = row.unit.longitude, row.unit.latitude
        assert geometry.buffer(TOLERANCE).contains(shape({"type": "Point", "coordinates": point}))
    tree = STRtree(shapes)
    for i, geometry in enumerate(shapes):
        for j in tree.query(geometry):
            if j > i:
                assert geometry.intersection(shapes[j]).area < 1e-10, (rows[i].unit.code, rows[j].unit.code)
    # Together they cover the district (the virtual park has no grids of its own).
    assert unary_union(shapes).area == pytest.approx(district.area, rel=1e-4)


@pytest.mark.django_db
def test_each_community_is_one_piece_and_urban_communities_sit_in_the_city(loaded):
    by_community: dict[str, list] = {}
    for row in Boundary.objects.filter(unit__kind=UnitKind.GRID, is_current=True).select_related("unit__parent"):
        parent = row.unit.parent
        assert parent is not None
        by_community.setdefault(parent.code, []).append(shape(row.geojson))
    for code, shapes in by_community.items():
        assert unary_union(shapes).buffer(TOLERANCE).geom_type == "Polygon", code
    heping = unary_union(by_community["150302001002"]).centroid
    assert 106.76 <= heping.x <= 106.875 and 39.625 <= heping.y <= 39.725


@pytest.mark.django_db
def test_creating_grids_again_changes_nothing(loaded):
    before = list(Boundary.objects.order_by("pk").values_list("pk", "unit_id", "version"))
    again = demo_grids_create(seed=1)
    assert again["created"] == 0 and again["updated"] == 0
    assert list(Boundary.objects.order_by("pk").values_list("pk", "unit_id", "version")) == before
