"""Pure geometry: point-in-polygon over versioned boundaries, with an STRtree index. No ORM here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep


def geometry_from_geojson(geojson: dict[str, Any]) -> BaseGeometry:
    """A shapely geometry from a GeoJSON Feature, FeatureCollection (first feature) or bare geometry."""
    if geojson.get("type") == "FeatureCollection":
        geojson = geojson["features"][0]
    if geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    return shape(geojson)


@dataclass
class PolygonIndex:
    """Polygons keyed by a unit code; ``find`` returns the code of the polygon that covers a point.

    A point on a shared edge belongs to the polygon with the smallest code, so the answer is deterministic.
    """

    codes: list[str] = field(default_factory=list)
    geometries: list[BaseGeometry] = field(default_factory=list)
    _tree: STRtree | None = None

    @classmethod
    def build(cls, items: Iterable[tuple[str, dict[str, Any]]]) -> PolygonIndex:
        index = cls()
        for code, geojson in items:
            index.codes.append(code)
            index.geometries.append(geometry_from_geojson(geojson))
        index._tree = STRtree(index.geometries) if index.geometries else None
        return index

    def find(self, longitude: float, latitude: float) -> str | None:
        if self._tree is None:
            return None
        point = Point(longitude, latitude)
        hits = [self.codes[int(i)] for i in self._tree.query(point, predicate="covered_by")]
        return min(hits) if hits else None


@dataclass
class Area:
    """A single region (e.g. the district) for inside/outside checks."""

    geometry: BaseGeometry

    def __post_init__(self) -> None:
        self._prepared = prep(self.geometry)

    def covers(self, longitude: float, latitude: float) -> bool:
        return bool(self._prepared.covers(Point(longitude, latitude)))


def coordinates_are_plausible(longitude: float, latitude: float) -> bool:
    """Within the bounding box of China (rejects swapped or zero coordinates early)."""
    return 73.0 <= longitude <= 135.5 and 3.0 <= latitude <= 54.0
