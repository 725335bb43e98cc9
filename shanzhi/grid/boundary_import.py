"""GeoJSON import of surveyed grids as a new boundary version (a generation, like MapIt's), all or nothing.

``features_check`` is pure (shapely, no ORM): it takes the file and what the map holds now and returns every problem,
each tied to the feature (its number in the file and its grid code). ``grids_import`` gathers the map, calls it, and
writes only when the list is empty: new grids become ``orgs.Unit`` rows under their community, every imported
polygon becomes its grid's current ``orgs.Boundary`` (the old version stays, no longer current), and a
``GridImport`` row records which grid got which version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.grid.models import GridImport
from shanzhi.orgs.loaders import boundary_set
from shanzhi.orgs.models import Boundary, Unit, UnitKind, User
from shanzhi.orgs.permissions import may_administer
from shanzhi.places.geometry import geometry_from_geojson

GRID_CODE = re.compile(r"\d{15}")
#: Overlaps and overhangs smaller than this (square degrees, about 10 m²) are survey noise on a shared edge.
AREA_TOLERANCE = 1e-9
MAX_FEATURES = 5000


@dataclass(frozen=True)
class Problem:
    feature: int  # 1-based position in the file; 0 for the file as a whole
    code: str
    error: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "code": self.code, "error": self.error, "message": self.message}


@dataclass(frozen=True)
class GridFeature:
    number: int
    code: str
    name: str
    geometry: BaseGeometry
    raw: dict[str, Any]

    @property
    def community_code(self) -> str:
        return self.code[:12]


def _ring_problem(ring: Any) -> str | None:
    """Why a GeoJSON linear ring is not one (RFC 7946 §3.1.6), or None."""
    if not isinstance(ring, list) or not all(
        isinstance(p, list) and len(p) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
        for p in ring
    ):
        return "环的坐标不是数字对"
    if len(ring) < 4:
        return f"环只有 {len(ring)} 个点，至少需要 4 个（首尾相同）"
    if ring[0][:2] != ring[-1][:2]:
        return "环未闭合：首点与末点不同"
    return None


def _polygons_of(geometry: Any) -> list[Any] | None:
    if not isinstance(geometry, dict):
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and isinstance(coordinates, list):
        return [coordinates]
    if kind == "MultiPolygon" and isinstance(coordinates, list):
        return coordinates
    return None


def _parse(number: int, feature: Any, problems: list[Problem]) -> GridFeature | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(number, "", "not_a_feature", f"第 {number} 个要素不是 GeoJSON Feature"))
        return None
    properties = feature.get("properties") or {}
    code = str(properties.get("code", "")).strip() if isinstance(properties, dict) else ""
    name = str(properties.get("name", "")).strip()[:100] if isinstance(properties, dict) else ""
    if not GRID_CODE.fullmatch(code):
        problems.append(
            Problem(
                number,
                code,
                "invalid_code",
                f"第 {number} 个要素的 code「{code}」不是 15 位网格编码（社区编码 + 3 位）",
            )
        )
        return None
    polygons = _polygons_of(feature.get("geometry"))
    if polygons is None:
        problems.append(Problem(number, code, "invalid_geometry", f"网格 {code} 的几何不是 Polygon 或 MultiPolygon"))
        return None
    for p, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            problems.append(Problem(number, code, "invalid_ring", f"网格 {code} 第 {p} 个多边形没有环"))
            return None
        for r, ring in enumerate(rings, start=1):
            why = _ring_problem(ring)
            if why:
                where = "外环" if r == 1 else f"第 {r - 1} 个内环"
                problems.append(Problem(number, code, "invalid_ring", f"网格 {code} 第 {p} 个多边形的{where}：{why}"))
                return None
    geometry = shape(feature["geometry"])
    if not geometry.is_valid:
        problems.append(
            Problem(number, code, "invalid_ring", f"网格 {code} 的多边形无效：{explain_validity(geometry)}")
        )
        return None
    if geometry.is_empty or geometry.area <= AREA_TOLERANCE:
        problems.append(Problem(number, code, "invalid_ring", f"网格 {code} 的多边形面积为零"))
        return None
    return GridFeature(number, code, name, geometry, feature["geometry"])


def features_check(
    collection: Any,
    *,
    communities: Mapping[str, BaseGeometry | None],
    unit_kinds: Mapping[str, str],
    existing: Mapping[str, BaseGeometry],
    outer: BaseGeometry | None = None,
    full_cover: bool = False,
) -> tuple[list[GridFeature], list[Problem]]:
    """Every problem of ``collection`` (a GeoJSON FeatureCollection of grids with ``properties.code``/``name``).

    ``communities``: community code → its current polygon (None if it has none: ``outer``, the district, is used);
    a code missing from it is an unknown community. ``unit_kinds``: the kind of every existing unit whose code the
    file uses. ``existing``: the current polygons of the grids the file does not touch (an import must not overlap
    them either). ``full_cover``: every community of the file must be covered by its grids without gaps.
    """
    problems: list[Problem] = []
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [], [Problem(0, "", "not_feature_collection", "文件不是 GeoJSON FeatureCollection")]
    raw = collection.get("features")
    if not isinstance(raw, list) or not raw:
        return [], [Problem(0, "", "no_features", "文件中没有网格要素")]
    if len(raw) > MAX_FEATURES:
        return [], [Problem(0, "", "too_many_features", f"一次最多导入 {MAX_FEATURES} 个网格")]
    features: list[GridFeature] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        feature = _parse(number, item, problems)
        if feature is None:
            continue
        if feature.code in seen:
            problems.append(
                Problem(
                    number, feature.code, "duplicate_code", f"网格 {feature.code} 与第 {seen[feature.code]} 个要素重复"
                )
            )
            continue
        seen[feature.code] = number
        kind = unit_kinds.get(feature.code)
        if kind is not None and kind != UnitKind.GRID:
            problems.append(Problem(number, feature.code, "not_a_grid", f"编码 {feature.code} 已被非网格单位使用"))
            continue
        if feature.community_code not in communities:
            problems.append(
                Problem(
                    number,
                    feature.code,
                    "unknown_community",
                    f"网格 {feature.code} 的社区 {feature.community_code} 不存在",
                )
            )
            continue
        if kind is None and not feature.name:
            problems.append(Problem(number, feature.code, "name_required", f"新网格 {feature.code} 缺少 name"))
            continue
        area = communities[feature.community_code] or outer
        if area is not None:
            overhang = feature.geometry.difference(area).area
            if overhang > AREA_TOLERANCE:
                share = overhang / feature.geometry.area
                where = "社区" if communities[feature.community_code] is not None else "本区"
                problems.append(
                    Problem(
                        number,
                        feature.code,
                        "outside_community",
                        f"网格 {feature.code} 有 {share:.1%} 的面积超出所属{where}（{feature.community_code}）范围",
                    )
                )
        features.append(feature)
    problems.extend(_overlaps(features, existing))
    if full_cover:
        problems.extend(_gaps(features, communities))
    problems.sort(key=lambda p: (p.feature, p.error))
    return features, problems


def _overlaps(features: list[GridFeature], existing: Mapping[str, BaseGeometry]) -> list[Problem]:
    problems = []
    others = [(code, geometry) for code, geometry in existing.items() if code not in {f.code for f in features}]
    shapes = [f.geometry for f in features] + [g for _c, g in others]
    tree = STRtree(shapes)
    for i, feature in enumerate(features):
        for j in sorted(int(k) for k in tree.query(feature.geometry, predicate="intersects")):
            if j == i or (j < len(features) and j < i):
                continue  # each pair of the file once
            overlap = feature.geometry.intersection(shapes[j]).area
            if overlap <= AREA_TOLERANCE:
                continue  # a shared edge or corner
            if j < len(features):
                other = features[j]
                problems.append(
                    Problem(
                        feature.number,
                        feature.code,
                        "overlap",
                        f"网格 {feature.code} 与第 {other.number} 个要素（网格 {other.code}）重叠",
                    )
                )
            else:
                code = others[j - len(features)][0]
                problems.append(
                    Problem(feature.number, feature.code, "overlap", f"网格 {feature.code} 与现有网格 {code} 重叠")
                )
    return problems


def _gaps(features: list[GridFeature], communities: Mapping[str, BaseGeometry | None]) -> list[Problem]:
    problems = []
    by_community: dict[str, list[GridFeature]] = {}
    for feature in features:
        by_community.setdefault(feature.community_code, []).append(feature)
    for code, members in sorted(by_community.items()):
        area = communities.get(code)
        if area is None:
            continue
        gap = area.difference(unary_union([f.geometry for f in members])).area
        if gap > AREA_TOLERANCE:
            problems.append(
                Problem(
                    members[0].number,
                    code,
                    "gap",
                    f"社区 {code} 有 {gap / area.area:.1%} 的面积不在任何网格内",
                )
            )
    return problems


def _current(units: list[Unit]) -> dict[int, BaseGeometry]:
    rows = Boundary.objects.filter(unit__in=units, is_current=True).values_list("unit_id", "geojson")
    return {unit_id: geometry_from_geojson(geojson) for unit_id, geojson in rows}


@transaction.atomic
def grids_import(*, actor: User | None, geojson: Any, filename: str = "", full_cover: bool = False) -> GridImport:
    """Import the grids of ``geojson`` as a new boundary version; refuse the whole file (``ValidationFailed`` with
    ``details["errors"]``, one line per problem) when anything is wrong, writing nothing."""
    if actor is not None and not may_administer(actor):
        raise PermissionDenied(_("只有系统管理员可以导入网格边界"), code="not_admin")
    features = geojson.get("features") if isinstance(geojson, dict) else None
    codes = set()
    for item in features if isinstance(features, list) else []:
        props = item.get("properties") if isinstance(item, dict) else None
        if isinstance(props, dict):
            codes.add(str(props.get("code", "")).strip())
    community_codes = {c[:12] for c in codes if GRID_CODE.fullmatch(c)}
    known = {u.code: u for u in Unit.objects.filter(code__in=codes | community_codes)}
    communities = [u for c, u in known.items() if c in community_codes and u.kind == UnitKind.COMMUNITY]
    community_shapes = _current(communities)
    district = Unit.objects.filter(code=settings.SHANZHI["DISTRICT_CODE"]).first()
    outer = _current([district]).get(district.pk) if district else None
    untouched = Unit.objects.filter(kind=UnitKind.GRID, is_active=True).exclude(code__in=codes)
    existing_rows = Boundary.objects.filter(unit__in=untouched, is_current=True).values_list("unit__code", "geojson")
    checked, problems = features_check(
        geojson,
        communities={u.code: community_shapes.get(u.pk) for u in communities},
        unit_kinds={c: u.kind for c, u in known.items()},
        existing={code: geometry_from_geojson(g) for code, g in existing_rows},
        outer=outer,
        full_cover=full_cover,
    )
    if problems:
        raise ValidationFailed(
            _("网格边界文件有 %(n)s 处错误，未导入任何网格") % {"n": len(problems)},
            code="grid_import_invalid",
            errors=[p.as_dict() for p in problems],
        )
    versions: dict[str, int] = {}
    created = 0
    for feature in checked:
        unit = known.get(feature.code)
        if unit is None:
            centre = feature.geometry.representative_point()
            unit = Unit.objects.create(
                code=feature.code,
                name=feature.name,
                kind=UnitKind.GRID,
                parent=known[feature.community_code],
                longitude=round(centre.x, 6),
                latitude=round(centre.y, 6),
                sort=int(feature.code[-3:]),
            )
            created += 1
        elif (feature.name and unit.name != feature.name) or not unit.is_active:
            unit.name = feature.name or unit.name
            unit.is_active = True
            unit.save()
        boundary, _outcome = boundary_set(unit=unit, geojson=feature.raw, is_demo=False)
        versions[feature.code] = boundary.version
    return GridImport.objects.create(
        actor=actor,
        filename=filename[:200],
        at=clock.now(),
        feature_count=len(checked),
        created_units=created,
        versions=versions,
    )
