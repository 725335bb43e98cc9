"""Locating a point: district check and point → grid → community → town, over the current boundaries."""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Lock

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Boundary, Unit, UnitKind
from shanzhi.places.geometry import Area, PolygonIndex, coordinates_are_plausible, geometry_from_geojson


@dataclass(frozen=True)
class Location:
    grid: Unit | None
    area: Unit | None  # the most specific territorial unit found
    explanation: str


class _BoundaryCache:
    """Boundaries change rarely (a new version, never an edit in place): the index is rebuilt when this process
    adds one (signal) and otherwise re-checked against the newest current row every ``ROUTING_CACHE_SECONDS``."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._stamp: tuple[object, ...] | None = None
        self._checked = 0.0
        self.district: Area | None = None
        self.grids = PolygonIndex()
        self.grid_units: dict[str, Unit] = {}

    def invalidate(self) -> None:
        self._stamp = None
        self._checked = 0.0

    def refresh(self) -> None:
        ttl = float(str(settings.SHANZHI.get("ROUTING_CACHE_SECONDS", 30)))
        if self._stamp is not None and time.monotonic() - self._checked < ttl:
            return
        current = Boundary.objects.filter(is_current=True)
        agg = current.aggregate(m=Max("id"), n=Count("id"), u=Max("updated_at"))
        stamp = (agg["m"], agg["n"], agg["u"])
        self._checked = time.monotonic()
        if stamp == self._stamp:
            return
        with self._lock:
            district_code = settings.SHANZHI["DISTRICT_CODE"]
            rows = list(current.select_related("unit").filter(unit__kind__in=[UnitKind.DISTRICT, UnitKind.GRID]))
            district = next((r for r in rows if r.unit.code == district_code), None)
            self.district = Area(geometry_from_geojson(district.geojson)) if district else None
            grid_rows = [r for r in rows if r.unit.kind == UnitKind.GRID and r.unit.is_active]
            self.grids = PolygonIndex.build((r.unit.code, r.geojson) for r in grid_rows)
            self.grid_units = {r.unit.code: r.unit for r in grid_rows}
            self._stamp = stamp


_cache = _BoundaryCache()


def invalidate() -> None:
    """Forget the boundary index (after loading a new map version; tests call it between cases)."""
    _cache.invalidate()


@receiver(post_save, sender=Boundary)
@receiver(post_delete, sender=Boundary)
@receiver(post_save, sender=Unit)
def _invalidate_on_edit(sender: type, **kwargs: object) -> None:
    transaction.on_commit(invalidate)
    invalidate()


def location_resolve(*, longitude: float, latitude: float) -> Location:
    """The grid and territorial unit of a point; refuses a point outside the district with a coded error."""
    if not coordinates_are_plausible(longitude, latitude):
        raise ValidationFailed(_("坐标不在有效范围内，请检查经纬度是否填反"), code="invalid_coordinates")
    _cache.refresh()
    if _cache.district is not None and not _cache.district.covers(longitude, latitude):
        raise ValidationFailed(_("该位置不在本区范围内，请核实事发地点"), code="outside_district")
    code = _cache.grids.find(longitude, latitude)
    if code is None:
        return Location(grid=None, area=None, explanation=f"({longitude:.5f}, {latitude:.5f}) 不在任何网格内")
    grid = _cache.grid_units.get(code) or Unit.objects.get(code=code)
    return Location(grid=grid, area=grid, explanation=f"坐标落在网格 {grid.code} {grid.name}")
