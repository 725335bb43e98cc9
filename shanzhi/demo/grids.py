"""Synthetic demo grids (网格): a deterministic partition of the district outline.

No public source has community or grid boundaries, so these are made up. The six urban 街道 share the band
39.625-39.725N west of 106.875E (the city centre, bounded by the river on the west); 千里山镇's 社区 lie east of it
and its villages in the north and the south of the district. Each region is cut like a treemap: the items are
split into two runs of about equal weight, the region is cut across its longer side where the area ratio matches,
and both halves are cut again, down to one grid per piece. The pieces tile the district without overlaps, every
grid lies inside its community's piece, and the same input always gives the same map. Every Boundary row written
here has ``is_demo=True``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from shapely.geometry import Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from shanzhi.orgs.loaders import boundary_set, district_unit, unit_upsert
from shanzhi.orgs.models import Boundary, Unit, UnitKind

URBAN_BOX = (106.77, 39.625, 106.875, 39.725)  # west, south, east, north; the west side follows the river
RURAL_TOWN_CODE = "150302101000"  # 千里山镇 takes everything outside the urban box
COORD_DIGITS = 6


@dataclass(frozen=True)
class Piece:
    key: str
    weight: float


def _cut_at(region: BaseGeometry, fraction: float) -> tuple[BaseGeometry, BaseGeometry]:
    """Cut ``region`` across its longer side so that the first part holds ``fraction`` of its area."""
    minx, miny, maxx, maxy = region.bounds
    mid_lat = math.radians((miny + maxy) / 2)
    vertical = (maxx - minx) * math.cos(mid_lat) >= (maxy - miny)  # cut with a vertical line (split west/east)
    lo, hi = (minx, maxx) if vertical else (miny, maxy)
    total = region.area
    for _ in range(48):
        mid = (lo + hi) / 2
        half = box(minx - 1, miny - 1, mid, maxy + 1) if vertical else box(minx - 1, miny - 1, maxx + 1, mid)
        if region.intersection(half).area < fraction * total:
            lo = mid
        else:
            hi = mid
    cut = (lo + hi) / 2
    first = box(minx - 1, miny - 1, cut, maxy + 1) if vertical else box(minx - 1, miny - 1, maxx + 1, cut)
    second = box(cut, miny - 1, maxx + 1, maxy + 1) if vertical else box(minx - 1, cut, maxx + 1, maxy + 1)
    return region.intersection(first), region.intersection(second)


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Drop the lines and points an intersection can leave on a shared edge."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return unary_union(parts) if parts else Polygon()


def partition(region: BaseGeometry, pieces: Sequence[Piece]) -> dict[str, BaseGeometry]:
    """Split ``region`` into one part per piece, areas proportional to the weights, keeping the order's runs
    together (neighbours in the list end up next to each other on the map)."""
    if not pieces:
        return {}
    if len(pieces) == 1:
        return {pieces[0].key: _polygonal(region)}
    total = sum(p.weight for p in pieces)
    running, split = 0.0, 1
    for i, piece in enumerate(pieces[:-1], start=1):
        running += piece.weight
        split = i
        if running >= total / 2:
            break
    left = sum(p.weight for p in pieces[:split])
    first, second = _cut_at(region, left / total)
    return {**partition(_polygonal(first), pieces[:split]), **partition(_polygonal(second), pieces[split:])}


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON with coordinates rounded to ~0.1 m, the precision the boundary rows keep."""

    def walk(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(v, COORD_DIGITS) for v in value]
            return [walk(v) for v in value]
        return value

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def grid_counts(communities: Sequence[Unit], *, per_community: int | None = None, seed: int = 0) -> dict[str, int]:
    """How many grids each community gets: ``per_community`` for all, or 3-6 chosen from the seed and the code
    (villages 3, urban communities 3-6)."""
    counts: dict[str, int] = {}
    for unit in communities:
        if per_community is not None:
            counts[unit.code] = per_community
        elif unit.name.endswith("村委会"):
            counts[unit.code] = 3
        else:
            counts[unit.code] = random.Random(f"{seed}:{unit.code}").randint(3, 6)
    return counts


def short_name(name: str) -> str:
    """和平社区居委会 → 和平社区, 新地村委会 → 新地村."""
    for suffix, replacement in (("居委会", ""), ("居民委员会", ""), ("村委会", "村"), ("村民委员会", "村")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _rural_groups(communities: Sequence[Unit]) -> tuple[list[Unit], list[Unit], list[Unit]]:
    """千里山镇: its 社区 east of the city, its villages split between the north and the south of the district."""
    towns_like = [c for c in communities if not c.name.endswith("村委会")]
    villages = [c for c in communities if c.name.endswith("村委会")]
    half = (len(villages) + 1) // 2
    return towns_like, villages[:half], villages[half:]


def layout(
    district: BaseGeometry, towns: Sequence[tuple[Unit, Sequence[Unit]]], counts: dict[str, int]
) -> dict[str, BaseGeometry]:
    """Polygons keyed by community code and by grid code (community code + 3 digits)."""
    west, south, east, north = URBAN_BOX
    far = 10.0
    regions = {
        "urban": district.intersection(box(west - far, south, east, north)),
        "east": district.intersection(box(east, south, east + far, north)),
        "north": district.intersection(box(west - far, north, east + far, north + far)),
        "south": district.intersection(box(west - far, south - far, east + far, south)),
    }
    urban = [c for t, cs in towns if t.code != RURAL_TOWN_CODE for c in cs]
    rural = [c for t, cs in towns if t.code == RURAL_TOWN_CODE for c in cs]
    east_group, north_group, south_group = _rural_groups(rural)
    groups = {"urban": urban, "east": east_group, "north": north_group, "south": south_group}
    communities: dict[str, BaseGeometry] = {}
    for name, members in groups.items():
        pieces = [Piece(c.code, counts[c.code]) for c in members]
        communities.update(partition(_polygonal(regions[name]), pieces))
    communities = absorb_fragments(communities)
    shapes: dict[str, BaseGeometry] = dict(communities)
    for code, geometry in communities.items():
        grid_pieces = [Piece(f"{code}{n:03d}", 1.0) for n in range(1, counts[code] + 1)]
        shapes.update(partition(geometry, grid_pieces))
    return shapes


def absorb_fragments(pieces: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """Make every piece one polygon where the map allows: a detached part (a cut through a lobe of the district)
    goes to the neighbour it shares the longest edge with."""
    result = dict(pieces)
    for key in sorted(pieces):
        geometry = result[key]
        if geometry.geom_type != "MultiPolygon":
            continue
        parts = sorted(geometry.geoms, key=lambda g: g.area, reverse=True)
        kept = [parts[0]]
        for part in parts[1:]:
            shared = {
                other: part.boundary.intersection(result[other].boundary).length
                for other in sorted(result)
                if other != key
            }
            best = max(shared, key=lambda other: shared[other], default=None)
            if best is None or shared[best] <= 0:
                kept.append(part)
                continue
            result[best] = _polygonal(unary_union([result[best], part]))
        result[key] = _polygonal(unary_union(kept))
    return result


@transaction.atomic
def demo_grids_create(*, per_community: int | None = None, seed: int = 0) -> dict[str, int]:
    """Create (or update in place) the demo grids of every non-virtual community, with demo boundaries.

    Needs the district and its boundary (``shanzhi load_divisions``). Returns counts of grids created/updated/
    unchanged. Grids beyond a community's new count are deactivated, never deleted (appeals may point at them).
    """
    district = district_unit()
    outline = Boundary.objects.filter(unit=district, is_current=True).first()
    if outline is None:
        raise ValueError("the district has no boundary: run `shanzhi load_divisions` first")
    towns = [
        (town, list(town.children.filter(kind=UnitKind.COMMUNITY, is_virtual=False).order_by("sort", "code")))
        for town in district.children.filter(kind=UnitKind.TOWN, is_virtual=False).order_by("sort", "code")
    ]
    communities = [c for _t, cs in towns for c in cs]
    counts = grid_counts(communities, per_community=per_community, seed=seed)
    shapes = layout(shape(outline.geojson), towns, counts)
    result = {"created": 0, "updated": 0, "unchanged": 0}
    for community in communities:
        geometry = shapes[community.code]
        point = geometry.representative_point()
        unit_upsert(code=community.code, longitude=round(point.x, 6), latitude=round(point.y, 6))
        for n in range(1, counts[community.code] + 1):
            code = f"{community.code}{n:03d}"
            grid_shape = shapes[code]
            centre = grid_shape.representative_point()
            grid, outcome = unit_upsert(
                code=code,
                name=f"{short_name(community.name)}第{n}网格",
                kind=UnitKind.GRID,
                parent=community,
                is_active=True,
                longitude=round(centre.x, 6),
                latitude=round(centre.y, 6),
                sort=n,
            )
            result[outcome] += 1
            boundary_set(unit=grid, geojson=_rounded(grid_shape), is_demo=True)
        Unit.objects.filter(parent=community, kind=UnitKind.GRID, is_active=True).exclude(
            code__in=[f"{community.code}{n:03d}" for n in range(1, counts[community.code] + 1)]
        ).update(is_active=False)
    for town, cs in towns:
        if cs:
            union = unary_union([shapes[c.code] for c in cs]).representative_point()
            unit_upsert(code=town.code, longitude=round(union.x, 6), latitude=round(union.y, 6))
    return result
