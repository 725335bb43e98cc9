"""The appeal page's small map: the appeal's position and its grid's current boundary, with the configured base
layer (``SHANZHI_MAP_TILE_URL``). The data travels to ``console/appeal_map.js`` through ``json_script``."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from shanzhi.appeals.models import Appeal
from shanzhi.orgs.models import Boundary

register = template.Library()


def _geometry(boundary: Boundary | None) -> dict[str, Any] | None:
    if boundary is None or not isinstance(boundary.geojson, dict):
        return None
    geometry = boundary.geojson
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    return geometry if geometry.get("type") in ("Polygon", "MultiPolygon") else None


@register.simple_tag
def appeal_map_data(appeal: Appeal) -> dict[str, Any] | None:
    """What the map draws, or None when there is nothing to place (no coordinates and no grid boundary)."""
    point = None
    if appeal.longitude is not None and appeal.latitude is not None:
        point = [appeal.latitude, appeal.longitude]
    boundary = None
    if appeal.area_id is not None:
        boundary = Boundary.objects.filter(unit_id=appeal.area_id, is_current=True).order_by("-version").first()
    area = _geometry(boundary)
    if point is None and area is None:
        return None
    return {
        "point": point,
        "area": area,
        "area_name": appeal.area.name if appeal.area_id and appeal.area else "",
        "tiles": settings.SHANZHI_MAP_TILE_URL,
        "attribution": settings.SHANZHI_MAP_TILE_ATTRIBUTION,
    }


@register.simple_tag
def map_base_layer() -> dict[str, str]:
    """The configured base layer for a console map that has no view of its own to pass it (the monthly hot spots)."""
    return {"tiles": settings.SHANZHI_MAP_TILE_URL, "attribution": settings.SHANZHI_MAP_TILE_ATTRIBUTION}
