"""What an import checks its rows against, the parsed rows, and the plan of what to write (see
:mod:`shanzhi.datahub.imports`)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.base import ModelState

from shanzhi.core.errors import ShanzhiError
from shanzhi.datahub import rules
from shanzhi.datahub.import_columns import COLUMNS
from shanzhi.datahub.models import (
    HubBuilding,
    ImportBatch,
)
from shanzhi.datahub.rules import CellError, RowError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.places import services as places

# --- what the hub already knows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    grid_id: int | None
    community_id: int | None
    path: str
    longitude: float | None = None
    latitude: float | None = None


@dataclass
class Reference:
    """Lookups loaded once per import: territorial units, buildings, and the importer's scope."""

    units: dict[str, tuple[int, str, str, int | None]]  # code → (id, path, kind, parent id)
    scope_path: str | None  # None: the whole district
    gcj02: bool = False  # the file's coordinates are GCJ-02 (Chinese web maps): converted to WGS-84
    buildings: dict[str, tuple[int, Place]] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: User, *, with_buildings: bool) -> Reference:
        units: dict[str, tuple[int, str, str, int | None]] = {
            code: (pk, path, kind, parent)
            for code, pk, path, kind, parent in Unit.objects.filter(
                kind__in=[UnitKind.GRID, UnitKind.COMMUNITY], is_active=True
            ).values_list("code", "id", "path", "kind", "parent_id")
        }
        scope = None if permissions.sees_everything(actor) else permissions.subtree_path(actor)
        ref = cls(units=units, scope_path=scope)
        if with_buildings:
            for code, pk, grid, community, path, lon, lat in HubBuilding.objects.values_list(
                "code", "id", "grid_id", "community_id", "area_path", "longitude", "latitude"
            ).iterator(chunk_size=20000):
                ref.buildings[code] = (pk, Place(grid, community, path, lon, lat))
        return ref

    def unit_place(self, code: str) -> Place | None:
        found = self.units.get(code)
        if found is None:
            return None
        pk, path, kind, parent = found
        if kind == UnitKind.GRID:
            return Place(pk, parent, path)
        return Place(None, pk, path)


class _Row:
    """The clean values of one row, or its errors."""

    __slots__ = ("bad", "errors", "number", "place", "values")

    def __init__(self, number: int) -> None:
        self.number = number
        self.values: dict[str, Any] = {}
        self.errors: list[RowError] = []
        self.bad: set[str] = set()  # keys whose cell could not be taken
        self.place: Place | None = None


def _parse_rows(
    kind: str, headers: list[str], rows: list[tuple[int, list[Any]]], positions: dict[str, int]
) -> list[_Row]:
    spec = [(c, positions[c.key]) for c in COLUMNS[kind] if c.key in positions]
    missing = [c for c in COLUMNS[kind] if c.key not in positions]
    parsed = []
    for number, cells in rows:
        row = _Row(number)
        for column, index in spec:
            raw = cells[index] if index < len(cells) else None
            try:
                row.values[column.key] = column.parse(raw)
            except CellError as error:
                row.errors.append(RowError(number, headers[index], error.code, error.message))
                row.bad.add(column.key)
        for column in missing:
            try:
                row.values[column.key] = column.parse(None)
            except CellError:
                row.values[column.key] = None
        parsed.append(row)
    return parsed


def _header(kind: str, key: str, headers: list[str], positions: dict[str, int]) -> str:
    index = positions.get(key)
    if index is not None:
        return headers[index]
    return next(c.headers[0] for c in COLUMNS[kind] if c.key == key)


def _place_row(row: _Row, ref: Reference, col: Callable[[str], str], *, building_key: str | None) -> None:
    """Resolve where the row lies: its building, else its grid code, else its coordinates (point → grid)."""
    values = row.values
    if row.bad.intersection((building_key or "", "grid_code", "longitude", "latitude")):
        return  # the place's own cells are already reported
    place: Place | None = None
    building_code = values.get(building_key) if building_key else ""
    if building_code:
        found = ref.buildings.get(building_code)
        if found is None:
            row.errors.append(
                RowError(
                    row.number, col(building_key or ""), "building_unknown", "楼栋编码在数据中心中不存在，请先导入楼栋"
                )
            )
            return
        values["building_id"] = found[0]
        place = found[1]
    grid_code = values.get("grid_code")
    if grid_code:
        unit_place = ref.unit_place(grid_code)
        if unit_place is None:
            row.errors.append(RowError(row.number, col("grid_code"), "division_unknown", "网格/社区编码不存在"))
            return
        place = Place(
            unit_place.grid_id,
            unit_place.community_id,
            unit_place.path,
            place.longitude if place else None,
            place.latitude if place else None,
        )
    lon, lat = values.get("longitude"), values.get("latitude")
    if lon is not None and lat is not None and ref.gcj02:
        lon, lat = (round(c, 6) for c in rules.gcj02_to_wgs84(lon, lat))
    if (lon is None) != (lat is None):
        row.errors.append(
            RowError(
                row.number,
                col("longitude" if lon is None else "latitude"),
                "coordinate_incomplete",
                "经度和纬度须同时填写",
            )
        )
        return
    if lon is not None and lat is not None:
        try:
            location = places.location_resolve(longitude=lon, latitude=lat)
        except ShanzhiError as error:
            row.errors.append(RowError(row.number, col("longitude"), error.code, str(error.message)))
            return
        if place is None:
            if location.grid is None:
                row.errors.append(
                    RowError(row.number, col("longitude"), "no_grid", "坐标不在任何网格内，请填写网格编码")
                )
                return
            place = Place(location.grid.pk, location.grid.parent_id, location.grid.path)
        place = Place(place.grid_id, place.community_id, place.path, lon, lat)
    if place is None:
        row.errors.append(RowError(row.number, "", "no_place", "须填写楼栋编码、网格编码或经纬度之一"))
        return
    if ref.scope_path is not None and not place.path.startswith(ref.scope_path):
        row.errors.append(RowError(row.number, col("grid_code"), "outside_scope", "该位置不在您的管辖范围内"))
        return
    row.place = place


def _duplicates(rows: list[_Row], key: str, column: str, message: str) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(key)
        if not value:
            continue
        first = seen.setdefault(value, row.number)
        if first != row.number:
            row.errors.append(RowError(row.number, column, "duplicate_in_file", message.format(first=first)))


# --- the result ---------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    batch: ImportBatch
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return self.batch.status != ImportBatch.Status.FAILED


@dataclass
class _Plan:
    """What writing would do: instances to insert and to update (with the fields to update)."""

    inserts: list[list[models.Model]] = field(default_factory=list)  # groups in dependency order
    updates: list[tuple[list[models.Model], list[str]]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    after: list[Callable[[], None]] = field(default_factory=list)
    kind: str = ""


@functools.cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(("shanzhi-datahub-fingerprint:" + secret).encode()).digest()[:32]


def _fp(values: Iterable[Any]) -> str:
    """A keyed digest of a row's clean values (keyed: it covers personal data)."""
    joined = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.blake2b(joined.encode(), digest_size=16, key=_key(settings.SECRET_KEY)).hexdigest()


_defaults: dict[type[models.Model], dict[str, Any]] = {}


def _new[M: models.Model](model: type[M], **values: Any) -> M:
    """A new, unsaved instance without ``Model.__init__`` (which costs more than validating the row): the fields'
    defaults, then ``values`` by attribute name. Only for plain values and ``*_id`` keys; see :func:`_link`."""
    defaults = _defaults.get(model)
    if defaults is None:
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        _defaults[model] = defaults
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


def _link(obj: models.Model, attname: str, target: models.Model) -> None:
    """Point ``obj``'s foreign key ``attname`` at ``target``, which gets its primary key when it is inserted."""
    links = obj.__dict__.setdefault("_dh_links", [])
    links.append((attname, target))


def _placed(obj: Any, place: Place) -> None:
    obj.grid_id = place.grid_id
    obj.community_id = place.community_id
    obj.area_path = place.path
    obj.longitude = place.longitude
    obj.latitude = place.latitude


_PLACE_FIELDS = ["grid", "community", "area_path", "longitude", "latitude", "fingerprint", "updated_at"]


def _diff(
    model: type[models.Model],
    key_field: str,
    rows: list[tuple[str, str, Callable[[], models.Model]]],
    plan: _Plan,
    fields: list[str],
) -> dict[str, int]:
    """Compare (key, fingerprint, build) against the hub; queue inserts and updates; return key → pk of every row."""
    existing: dict[str, tuple[int, str]] = {}
    keys = [k for k, _f, _b in rows]
    for start in range(0, len(keys), 20000):
        chunk = keys[start : start + 20000]
        for key, pk, fp in model._default_manager.filter(**{f"{key_field}__in": chunk}).values_list(
            key_field, "id", "fingerprint"
        ):
            existing[key] = (pk, fp)
    inserts: list[models.Model] = []
    updates: list[models.Model] = []
    pks: dict[str, int] = {}
    for key, fp, build in rows:
        found = existing.get(key)
        if found is None:
            obj = build()
            inserts.append(obj)
            continue
        pks[key] = found[0]
        if found[1] == fp:
            plan.unchanged += 1
            continue
        obj = build()
        obj.pk = found[0]
        updates.append(obj)
    plan.created += len(inserts)
    plan.updated += len(updates)
    plan.inserts.append(inserts)
    if updates:
        plan.updates.append((updates, fields))
    return pks
