"""Reads of the data hub, always in the reader's scope (ADR 0001, ADR 0017).

- The centre (``orgs.permissions.sees_everything``) sees the whole district.
- Territorial staff holding a role see their unit's subtree: a grid worker their grid, a community its grids, a
  town its communities — one prefix match on ``area_path``.
- Everyone else (departments, integrations without a territorial unit, people without a role) sees nothing.
- Key persons additionally need ``datahub.view_keyperson``; without it they do not exist (no list, no layer, no
  count, no mark on a person's card).
"""

from __future__ import annotations

import math
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Floor

from shanzhi.core import pii
from shanzhi.core.errors import NotFound
from shanzhi.datahub import rules
from shanzhi.datahub.models import (
    Enterprise,
    Household,
    HubBuilding,
    ImportBatch,
    KeyPerson,
    MapCell,
    PartyOrganisation,
    Person,
)
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Boundary, UnitKind, User
from shanzhi.places.geometry import geometry_from_geojson

KEY_PERSON_PERMISSION = "datahub.view_keyperson"
CLUSTER_ABOVE = 400  # more points than this in the box: clusters instead of points
CELL_SIZES = (0.0025, 0.005, 0.01, 0.02, 0.04, 0.08)  # degrees; MapCell.level indexes this
LAYERS = ("buildings", "enterprises", "party_orgs", "key_persons", "grids")


def may_use_hub(user: User) -> bool:
    """The hub's pages: the centre, or territorial staff with a role."""
    if permissions.sees_everything(user):
        return True
    return bool(permissions.is_active_staff(user) and permissions.is_territorial_staff(user) and user.role_codes)


def may_view_key_persons(user: User) -> bool:
    return may_use_hub(user) and user.has_perm(KEY_PERSON_PERMISSION)


def scope_q(user: User) -> Q:
    """Rows of the hub ``user`` may read (by ``area_path``); no scope → no rows."""
    if permissions.sees_everything(user):
        return Q()
    if not may_use_hub(user):
        return Q(pk__in=[])
    return permissions.subtree_q(user, "area_path")


def _scoped[M: models.Model](qs: QuerySet[M], user: User) -> QuerySet[M]:
    return qs.filter(scope_q(user))


def persons_for(user: User, *, query: str = "") -> QuerySet[Person]:
    """Persons in scope; ``query`` finds a full ID number (exact, by its keyed hash), a phone, a name or a code."""
    qs = _scoped(Person.objects.select_related("building", "house", "household", "grid", "community"), user)
    query = query.strip()
    if query:
        upper = query.upper()
        if pii.id_number_is_valid(upper):
            qs = qs.filter(id_hash=pii.blind_index(upper))
        elif pii.citizen_phone_is_valid(pii.normalize_phone(query)):
            qs = qs.filter(phone_hash=pii.blind_index(pii.normalize_phone(query)))
        else:
            qs = qs.filter(
                Q(name=query) | Q(building__code=query) | Q(household__number=query) | Q(name__startswith=query)
            )
    return qs.order_by("id")


def person_get(user: User, pk: int) -> Person:
    found = persons_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def key_records_for(user: User, person: Person) -> list[KeyPerson]:
    if not may_view_key_persons(user):
        return []
    return list(_scoped(KeyPerson.objects.filter(person=person), user))


def key_persons_for(user: User, *, category: str = "") -> QuerySet[KeyPerson]:
    if not may_view_key_persons(user):
        return KeyPerson.objects.none()
    qs = _scoped(KeyPerson.objects.select_related("person", "grid"), user)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("id")


def buildings_for(user: User, *, query: str = "") -> QuerySet[HubBuilding]:
    qs = _scoped(HubBuilding.objects.select_related("grid", "community"), user)
    query = query.strip()
    if query:
        qs = qs.filter(Q(code=query) | Q(name__contains=query) | Q(address_text__contains=query))
    return qs.order_by("code")


def building_get(user: User, pk: int) -> HubBuilding:
    found = buildings_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def households_for(user: User) -> QuerySet[Household]:
    return _scoped(Household.objects.all(), user).order_by("number")


def enterprises_for(user: User, *, query: str = "") -> QuerySet[Enterprise]:
    qs = _scoped(Enterprise.objects.select_related("grid"), user)
    query = query.strip()
    if query:
        qs = qs.filter(Q(credit_code=query.upper()) | Q(name__contains=query) | Q(address_text__contains=query))
    return qs.order_by("credit_code")


def party_orgs_for(user: User) -> QuerySet[PartyOrganisation]:
    return _scoped(PartyOrganisation.objects.select_related("parent", "grid"), user).order_by("code")


def imports_for(user: User) -> QuerySet[ImportBatch]:
    """Import history: the centre sees every attempt, others their own."""
    if permissions.sees_everything(user):
        return ImportBatch.objects.select_related("actor")
    if not may_use_hub(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(actor=user)


def counts_for(user: User) -> dict[str, int]:
    counts = {
        "persons": persons_for(user).count(),
        "households": households_for(user).count(),
        "buildings": buildings_for(user).count(),
        "enterprises": enterprises_for(user).count(),
        "party_orgs": party_orgs_for(user).count(),
    }
    if may_view_key_persons(user):
        counts["key_persons"] = key_persons_for(user).count()
    return counts


# --- the map ------------------------------------------------------------------------------------------------------


def _in_box[M: models.Model](qs: QuerySet[M], bbox: tuple[float, float, float, float]) -> QuerySet[M]:
    west, south, east, north = bbox
    return qs.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)


def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def _level(bbox: tuple[float, float, float, float]) -> int:
    """The smallest pre-counted cell size at least what the box wants (about 32 cells across), else the largest."""
    wanted = rules.cluster_cell(bbox, cells_across=32)
    return next((i for i, size in enumerate(CELL_SIZES) if size >= wanted), len(CELL_SIZES) - 1)


def _clusters(user: User, layer: str, bbox: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """Clusters from the pre-counted cells in the box and in ``user``'s scope (cells of several areas summed)."""
    level = _level(bbox)
    size = CELL_SIZES[level]
    west, south, east, north = bbox
    qs = MapCell.objects.filter(
        layer=layer,
        level=level,
        cx__gte=math.floor(west / size),
        cx__lte=math.floor(east / size),
        cy__gte=math.floor(south / size),
        cy__lte=math.floor(north / size),
    ).filter(scope_q(user))
    rows = qs.values("cx", "cy").annotate(n=Sum("n"), lon=Sum("lon_sum"), lat=Sum("lat_sum")).order_by()
    return [
        _point(round(r["lon"] / r["n"], 6), round(r["lat"] / r["n"], 6), {"cluster": True, "count": r["n"]})
        for r in rows
        if r["n"]
    ]


LAYER_MODELS: dict[str, type[models.Model]] = {
    "buildings": HubBuilding,
    "enterprises": Enterprise,
    "party_orgs": PartyOrganisation,
    "key_persons": KeyPerson,
}


def map_cells_rebuild(layer: str) -> int:
    """Count ``layer``'s points again into :class:`MapCell` (every level); returns the number of cells."""
    model = LAYER_MODELS[layer]
    MapCell.objects.filter(layer=layer).delete()
    cells: list[MapCell] = []
    for level, size in enumerate(CELL_SIZES):
        rows = (
            model._default_manager.exclude(longitude=None)
            .exclude(latitude=None)
            .annotate(cx=Floor(models.F("longitude") / size), cy=Floor(models.F("latitude") / size))
            .values("area_path", "cx", "cy")
            .annotate(n=Count("id"), lon=Sum("longitude"), lat=Sum("latitude"))
            .order_by()
        )
        cells.extend(
            MapCell(
                layer=layer, level=level, cx=int(r["cx"]), cy=int(r["cy"]), area_path=r["area_path"], n=r["n"],
                lon_sum=r["lon"], lat_sum=r["lat"],
            )
            for r in rows
        )  # fmt: skip
    MapCell.objects.bulk_create(cells, batch_size=5000)
    return len(cells)


def map_layer(user: User, layer: str, bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``layer`` inside ``bbox`` in ``user``'s scope: points, or clusters of them when
    the box holds more than :data:`CLUSTER_ABOVE`. Names of people never appear; key persons only with the
    permission, and only their category."""
    features: list[dict[str, Any]]
    qs: QuerySet[Any]
    fields: tuple[str, ...]
    if layer == "grids":
        return {"type": "FeatureCollection", "features": _grid_features(user, bbox), "clustered": False}
    if layer == "buildings":
        qs = _in_box(buildings_for(user), bbox)
        fields = ("id", "code", "name", "use", "floors")
    elif layer == "enterprises":
        qs = _in_box(enterprises_for(user), bbox)
        fields = ("id", "credit_code", "name", "industry", "employees")
    elif layer == "party_orgs":
        qs = _in_box(party_orgs_for(user), bbox)
        fields = ("id", "code", "name", "kind", "members_count")
    elif layer == "key_persons":
        qs = _in_box(key_persons_for(user), bbox)
        fields = ("id", "category", "level")
    else:
        raise NotFound()
    qs = qs.exclude(longitude=None).order_by()
    rows = list(qs.values(*fields, "longitude", "latitude")[: CLUSTER_ABOVE + 1])
    if len(rows) > CLUSTER_ABOVE:
        features = _clusters(user, layer, bbox)
        total = sum(f["properties"]["count"] for f in features)
        return {"type": "FeatureCollection", "features": features, "clustered": True, "total": total}
    features = [_point(row["longitude"], row["latitude"], {k: row[k] for k in fields}) for row in rows]
    return {"type": "FeatureCollection", "features": features, "clustered": False, "total": len(features)}


def _grid_features(user: User, bbox: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    from shapely.geometry import box

    area = box(*bbox)
    rows = Boundary.objects.filter(is_current=True, unit__kind=UnitKind.GRID, unit__is_active=True).select_related(
        "unit"
    )
    if not permissions.sees_everything(user):
        if not may_use_hub(user):
            return []
        rows = rows.filter(permissions.subtree_q(user, "unit__path"))
    features = []
    for row in rows:
        geometry = geometry_from_geojson(row.geojson)
        if geometry.intersects(area):
            gj = row.geojson.get("geometry", row.geojson) if row.geojson.get("type") == "Feature" else row.geojson
            features.append(
                {"type": "Feature", "geometry": gj, "properties": {"code": row.unit.code, "name": row.unit.name}}
            )
    return features
