"""Point → grid over the current boundary version (shanzhi.places.services.location_resolve, geometry.PolygonIndex).

The district is the square 106.0-107.0 E × 39.0-40.0 N. Grid A (150302001002001) is 106.1-106.2 × 39.1-39.2 and
grid B (150302003012001) is 106.2-106.3 × 39.1-39.2: they share the edge x = 106.2.
"""

from __future__ import annotations

import pytest

from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Boundary
from shanzhi.places import services
from shanzhi.places.geometry import PolygonIndex


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture
def grids(district, monkeypatch):
    # A fresh cache per test: the module-level one would keep the previous test's (rolled back) boundaries.
    monkeypatch.setattr(services, "_cache", services._BoundaryCache())
    Boundary.objects.create(unit=district.district, geojson=square(106.0, 39.0, 107.0, 40.0))
    Boundary.objects.create(unit=district.grid_a, geojson=square(106.1, 39.1, 106.2, 39.2))
    Boundary.objects.create(unit=district.grid_b, geojson=square(106.2, 39.1, 106.3, 39.2))
    return district


def test_point_inside_a_grid(grids) -> None:
    location = services.location_resolve(longitude=106.25, latitude=39.15)
    assert location.grid == grids.grid_b
    assert location.area == grids.grid_b
    assert grids.grid_b.code in location.explanation


def test_point_on_a_shared_edge_goes_to_the_smallest_code(grids) -> None:
    location = services.location_resolve(longitude=106.2, latitude=39.15)
    assert location.grid == grids.grid_a  # 150302001002001 < 150302003012001


def test_point_on_a_shared_vertex_goes_to_the_smallest_code(grids) -> None:
    assert services.location_resolve(longitude=106.2, latitude=39.2).grid == grids.grid_a
    assert services.location_resolve(longitude=106.2, latitude=39.1).grid == grids.grid_a


def test_point_on_an_outer_edge_and_vertex_belongs_to_its_grid(grids) -> None:
    assert services.location_resolve(longitude=106.3, latitude=39.15).grid == grids.grid_b
    assert services.location_resolve(longitude=106.3, latitude=39.2).grid == grids.grid_b
    assert services.location_resolve(longitude=106.1, latitude=39.1).grid == grids.grid_a


def test_point_outside_every_grid_but_inside_the_district(grids) -> None:
    location = services.location_resolve(longitude=106.5, latitude=39.5)
    assert location.grid is None
    assert location.area is None
    assert "不在任何网格内" in location.explanation


def test_point_just_outside_a_grid_edge(grids) -> None:
    assert services.location_resolve(longitude=106.3000001, latitude=39.15).grid is None


def test_point_outside_the_district_is_a_coded_error(grids) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.location_resolve(longitude=107.5, latitude=39.5)
    assert caught.value.code == "outside_district"


def test_implausible_coordinates_are_a_coded_error(grids) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.location_resolve(longitude=39.15, latitude=106.2)  # swapped
    assert caught.value.code == "invalid_coordinates"


def test_only_the_current_boundary_version_counts(grids) -> None:
    # Grid B moves east in version 2; its old square no longer counts.
    Boundary.objects.filter(unit=grids.grid_b).update(is_current=False)
    Boundary.objects.create(unit=grids.grid_b, version=2, geojson=square(106.4, 39.1, 106.5, 39.2))
    assert services.location_resolve(longitude=106.25, latitude=39.15).grid is None
    assert services.location_resolve(longitude=106.45, latitude=39.15).grid == grids.grid_b


def test_an_inactive_grid_is_not_found(grids, monkeypatch) -> None:
    grids.grid_b.is_active = False
    grids.grid_b.save()
    monkeypatch.setattr(services, "_cache", services._BoundaryCache())
    assert services.location_resolve(longitude=106.25, latitude=39.15).grid is None


def test_without_a_district_boundary_grids_still_resolve(district, monkeypatch) -> None:
    monkeypatch.setattr(services, "_cache", services._BoundaryCache())
    Boundary.objects.create(unit=district.grid_a, geojson=square(106.1, 39.1, 106.2, 39.2))
    assert services.location_resolve(longitude=106.15, latitude=39.15).grid == district.grid_a


@pytest.mark.parametrize("order", [("b", "a"), ("a", "b")])
def test_polygon_index_edge_rule_does_not_depend_on_insertion_order(order) -> None:
    shapes = {
        "b": ("150302003012001", square(106.2, 39.1, 106.3, 39.2)),
        "a": ("150302001002001", square(106.1, 39.1, 106.2, 39.2)),
    }
    index = PolygonIndex.build(shapes[k] for k in order)
    assert index.find(106.2, 39.15) == "150302001002001"
    assert index.find(106.25, 39.15) == "150302003012001"
    assert index.find(106.0, 39.0) is None


def test_polygon_index_handles_multipolygons_and_holes() -> None:
    donut = {
        "type": "Polygon",
        "coordinates": [
            [[106.0, 39.0], [106.4, 39.0], [106.4, 39.4], [106.0, 39.4], [106.0, 39.0]],
            [[106.1, 39.1], [106.3, 39.1], [106.3, 39.3], [106.1, 39.3], [106.1, 39.1]],
        ],
    }
    islands = {
        "type": "MultiPolygon",
        "coordinates": [
            square(106.15, 39.15, 106.2, 39.2)["coordinates"],
            square(107.0, 39.0, 107.1, 39.1)["coordinates"],
        ],
    }
    index = PolygonIndex.build([("G1", donut), ("G2", islands)])
    assert index.find(106.05, 39.05) == "G1"
    assert index.find(106.2, 39.25) is None  # in the hole
    assert index.find(106.17, 39.17) == "G2"
    assert index.find(107.05, 39.05) == "G2"
    assert index.find(106.1, 39.2) == "G1"  # on the hole's edge: still covered by the ring's polygon
