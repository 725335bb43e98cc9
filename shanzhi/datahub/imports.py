"""Imports from departments (XLSX and CSV): map the columns, validate the whole file, then write it in one go.

The contract (ADR 0017):
- the whole file is read and every cell validated before anything is written; the error list names the row (as the
  spreadsheet numbers it, the header being row 1), the column (as the file spells it), a stable code and a Chinese
  message — never the value;
- a file with any error writes nothing but its history row (``ImportBatch`` with status ``failed``) — unless the
  caller asks for the valid rows only (``valid_rows_only``), when the rows without errors are written;
- every element has a key (ID number's keyed hash, building code, credit code, 户号, organisation code); a row whose
  clean values equal what the hub holds (a keyed digest, ``fingerprint``) is left alone, so importing the same file
  twice changes nothing;
- writes are bulk inserts and bulk updates in batches inside one transaction (``core.bulk_insert``: one statement
  per batch on PostgreSQL), so a district's 260k persons load in well under a minute.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core import pii
from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.errors import PermissionDenied, ShanzhiError, ValidationFailed
from shanzhi.datahub import rules, selectors
from shanzhi.datahub.models import (
    BuildingUse,
    Enterprise,
    House,
    Household,
    HubBuilding,
    ImportBatch,
    ImportKind,
    KeyCategory,
    KeyPerson,
    PartyOrganisation,
    Person,
    Relation,
    Residence,
)
from shanzhi.datahub.rules import CellError, RowError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.places import services as places
from shanzhi.places.models import StandardAddress

BATCH = 5000
MAX_ERRORS_KEPT = 2000
Progress = Callable[[str, int, int], None]


# --- columns ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # the first is the template's header; the others are accepted spellings
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file


def _req(n: int) -> Callable[[Any], str]:
    return lambda v: rules.required_text(v, max_length=n)


def _opt(n: int) -> Callable[[Any], str]:
    return lambda v: rules.optional_text(v, max_length=n)


def _lon(v: Any) -> float | None:
    return rules.coordinate(v, low=73.0, high=135.5)


def _lat(v: Any) -> float | None:
    return rules.coordinate(v, low=3.0, high=54.0)


_PLACE = (
    Column("grid_code", ("网格编码", "所属网格编码", "网格"), lambda v: rules.unit_code(v, required=False)),
    Column("longitude", ("经度", "lng", "lon"), _lon),
    Column("latitude", ("纬度", "lat"), _lat),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.BUILDINGS: (
        Column("code", ("楼栋编码", "建筑物编码"), _req(32), required=True),
        Column("name", ("名称", "楼栋名称"), _req(100), required=True),
        Column("address_text", ("地址",), _opt(200)),
        Column("address_code", ("标准地址编码",), _opt(32)),
        Column("use", ("用途",), rules.choice_parser(BuildingUse.choices, default=BuildingUse.RESIDENTIAL)),
        Column("floors", ("层数",), lambda v: rules.integer(v, minimum=1, maximum=200, default=1)),
        Column("entrances", ("单元数",), lambda v: rules.integer(v, minimum=1, maximum=50, default=1)),
        Column("built_year", ("建成年份",), lambda v: rules.integer(v, minimum=1900, maximum=2100)),
        *_PLACE,
    ),
    ImportKind.PERSONS: (
        Column("name", ("姓名",), _req(50), required=True),
        Column("id_number", ("身份证号", "公民身份号码", "身份证号码"), rules.id_number, required=True),
        Column("phone", ("手机号", "联系电话", "电话"), rules.phone),
        Column("residence", ("人口类型",), rules.choice_parser(Residence.choices, default=Residence.REGISTERED)),
        Column("household_no", ("户号",), _opt(32)),
        Column("relation", ("与户主关系",), rules.choice_parser(Relation.choices, default="")),
        Column("building_code", ("楼栋编码",), _opt(32)),
        Column("entrance_no", ("单元", "单元号"), lambda v: rules.integer(v, minimum=1, maximum=50)),
        Column("room_no", ("室号", "房号"), _opt(10)),
        _PLACE[0],
    ),
    ImportKind.ENTERPRISES: (
        Column("credit_code", ("统一社会信用代码", "信用代码"), rules.credit_code, required=True),
        Column("name", ("企业名称", "名称"), _req(120), required=True),
        Column("legal_rep", ("法定代表人",), _opt(50)),
        Column("phone", ("联系电话", "电话"), rules.phone),
        Column("industry", ("行业",), _opt(60)),
        Column("employees", ("从业人数",), lambda v: rules.integer(v, minimum=0, maximum=1_000_000, default=0)),
        Column("address_text", ("地址",), _opt(200)),
        Column("building_code", ("楼栋编码",), _opt(32)),
        *_PLACE,
    ),
    ImportKind.KEY_PERSONS: (
        Column("id_number", ("身份证号", "公民身份号码"), rules.id_number, required=True),
        Column("category", ("类别", "人员类别"), rules.choice_parser(KeyCategory.choices), required=True),
        Column(
            "level",
            ("关注等级",),
            lambda v: int(rules.choice(v, [(str(c), lbl) for c, lbl in KeyPerson.Level.choices], default="1")),
        ),
        Column("since", ("列管日期",), rules.date),
        Column("note", ("备注",), _opt(200)),
    ),
    ImportKind.PARTY_ORGS: (
        Column("code", ("组织编码",), _req(32), required=True),
        Column("name", ("组织名称", "名称"), _req(120), required=True),
        Column("kind", ("组织类型", "类型"), rules.choice_parser(PartyOrganisation.Kind.choices, default="branch")),
        Column("parent_code", ("上级组织编码",), _opt(32)),
        Column("secretary", ("书记",), _opt(50)),
        Column("members_count", ("党员数",), lambda v: rules.integer(v, minimum=0, maximum=100_000, default=0)),
        Column("address_text", ("地址",), _opt(200)),
        *_PLACE,
    ),
}


def template_headers(kind: str) -> list[str]:
    return [c.headers[0] for c in COLUMNS[kind]]


# --- reading the file ---------------------------------------------------------------------------------------------


def read_table(file_name: str, content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the data rows (with their spreadsheet row numbers) of an .xlsx or .csv file."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ValidationFailed(
                _("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏"), code="file_unreadable"
            ) from None
        sheet = book.worksheets[0]
        raw = list(sheet.iter_rows(values_only=True))
        book.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(_("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）"), code="file_encoding")
        raw = [tuple(r) for r in csv.reader(io.StringIO(decoded))]
    else:
        raise ValidationFailed(_("只支持 .xlsx 和 .csv 文件"), code="file_type")
    if not raw:
        raise ValidationFailed(_("文件是空的"), code="file_empty")
    headers = [rules.text(h) for h in raw[0]]
    rows = [
        (number, list(values)) for number, values in enumerate(raw[1:], start=2) if any(rules.text(v) for v in values)
    ]
    return headers, rows


def map_columns(
    kind: str, headers: Sequence[str], mapping: dict[str, str] | None
) -> tuple[dict[str, int], list[RowError]]:
    """Column key → index in the row. ``mapping`` (file header → key) overrides the accepted spellings."""
    spec = COLUMNS[kind]
    positions: dict[str, int] = {}
    known = {c.key for c in spec}
    for index, header in enumerate(headers):
        key = (mapping or {}).get(header)
        if key is None:
            key = next((c.key for c in spec if header in c.headers), None)
        if key in known and key not in positions:
            positions[key] = index
    errors = [
        RowError(1, c.headers[0], "missing_column", f"缺少必需的列「{c.headers[0]}」")
        for c in spec
        if c.required and c.key not in positions
    ]
    return positions, errors


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


# --- per kind -------------------------------------------------------------------------------------------------------


def _plan_buildings(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    codes = [r.values["address_code"] for r in rows if r.values.get("address_code")]
    addresses = dict(StandardAddress.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for row in rows:
        _place_row(row, ref, col, building_key=None)
        code = row.values.get("address_code")
        if code and code not in addresses:
            row.errors.append(RowError(row.number, col("address_code"), "address_unknown", "标准地址编码不存在"))
    _duplicates(rows, "code", col("code"), "楼栋编码与第{first}行重复")
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                HubBuilding,
                code=v["code"],
                name=v["name"],
                address_text=v["address_text"] or "",
                address_id=addresses.get(v["address_code"] or ""),
                use=v["use"],
                floors=v["floors"],
                entrances=v["entrances"],
                built_year=v["built_year"],
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["code"],
                v["name"],
                v["address_text"],
                v["address_code"],
                v["use"],
                v["floors"],
                v["entrances"],
                v["built_year"],
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["code"], fp, build(row, fp)))
    _diff(
        HubBuilding,
        "code",
        items,
        plan,
        ["name", "address_text", "address", "use", "floors", "entrances", "built_year", *_PLACE_FIELDS],
    )


def _plan_persons(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        v = row.values
        if (v.get("entrance_no") or v.get("room_no")) and not v.get("building_code"):
            row.errors.append(
                RowError(row.number, col("building_code"), "room_without_building", "填写单元/室号时须填写楼栋编码")
            )
            continue
        if v.get("room_no") and not v.get("entrance_no"):
            v["entrance_no"] = 1
        _place_row(row, ref, col, building_key="building_code")
        if v.get("id_number"):
            v["id_hash"] = pii.blind_index(v["id_number"])
        v["phone_hash"] = pii.blind_index(v.get("phone") or "")
    _duplicates(rows, "id_hash", col("id_number"), "身份证号与第{first}行重复")
    good = [r for r in rows if not r.errors]

    # Dwellings and households named by the rows: create the ones the hub does not have yet.
    house_rows: dict[str, _Row] = {}
    household_rows: dict[str, _Row] = {}
    for row in good:
        v = row.values
        if v.get("room_no"):
            v["house_code"] = f"{v['building_code']}-{v['entrance_no']}-{v['room_no']}"
            house_rows.setdefault(v["house_code"], row)
        if v.get("household_no"):
            household_rows.setdefault(v["household_no"], row)
    houses: dict[str, int] = {}
    house_codes = list(house_rows)
    for start in range(0, len(house_codes), 20000):
        chunk = house_codes[start : start + 20000]
        houses.update(House.objects.filter(code__in=chunk).values_list("code", "id"))
    new_houses: dict[str, House] = {}
    for code, row in house_rows.items():
        if code in houses:
            continue
        house = _new(
            House,
            code=code,
            building_id=row.values["building_id"],
            entrance_no=row.values["entrance_no"],
            room_no=row.values["room_no"],
            is_demo=demo,
        )
        assert row.place is not None
        _placed(house, row.place)
        new_houses[code] = house
    households: dict[str, int] = {}
    numbers = list(household_rows)
    for start in range(0, len(numbers), 20000):
        chunk = numbers[start : start + 20000]
        households.update(Household.objects.filter(number__in=chunk).values_list("number", "id"))
    new_households: dict[str, Household] = {}
    for number, row in household_rows.items():
        if number in households:
            continue
        household = _new(Household, number=number, is_demo=demo)
        assert row.place is not None
        _placed(household, row.place)
        new_households[number] = household
    plan.inserts.append(list(new_houses.values()))
    plan.inserts.append(list(new_households.values()))

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            number = v["id_number"]
            house_code = v.get("house_code")
            household_no = v.get("household_no")
            obj = _new(
                Person,
                id_hash=v["id_hash"],
                id_cipher=pii.encrypt(number),
                id_masked=pii.mask_id_number(number),
                name=v["name"],
                gender=rules.id_gender(number),
                birth_year=rules.id_birth_year(number),
                phone_cipher=pii.encrypt(v["phone"]),
                phone_hash=v["phone_hash"],
                phone_masked=pii.mask_phone(v["phone"]),
                residence=v["residence"],
                relation=v["relation"] or "",
                building_id=v.get("building_id"),
                fingerprint=fp,
                is_demo=demo,
            )
            if house_code:
                if house_code in new_houses:
                    _link(obj, "house_id", new_houses[house_code])
                else:
                    obj.house_id = houses[house_code]
            if household_no:
                if household_no in new_households:
                    _link(obj, "household_id", new_households[household_no])
                else:
                    obj.household_id = households[household_no]
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["id_hash"],
                v["name"],
                v["phone_hash"],
                v["residence"],
                v.get("household_no"),
                v["relation"],
                v.get("building_code"),
                v.get("house_code"),
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["id_hash"], fp, build(row, fp)))
    fields = [
        "name",
        "phone_cipher",
        "phone_hash",
        "phone_masked",
        "residence",
        "household",
        "relation",
        "house",
        "building",
        *_PLACE_FIELDS,
    ]
    _diff(Person, "id_hash", items, plan, fields)


def _plan_enterprises(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        _place_row(row, ref, col, building_key="building_code")
    _duplicates(rows, "credit_code", col("credit_code"), "统一社会信用代码与第{first}行重复")
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                Enterprise,
                credit_code=v["credit_code"],
                name=v["name"],
                legal_rep=v["legal_rep"] or "",
                phone_cipher=pii.encrypt(v["phone"]),
                phone_hash=pii.blind_index(v["phone"]),
                phone_masked=pii.mask_phone(v["phone"]),
                industry=v["industry"] or "",
                employees=v["employees"],
                address_text=v["address_text"] or "",
                building_id=v.get("building_id"),
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["credit_code"],
                v["name"],
                v["legal_rep"],
                pii.blind_index(v["phone"]),
                v["industry"],
                v["employees"],
                v["address_text"],
                v.get("building_code"),
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["credit_code"], fp, build(row, fp)))
    fields = [
        "name",
        "legal_rep",
        "phone_cipher",
        "phone_hash",
        "phone_masked",
        "industry",
        "employees",
        "address_text",
        "building",
        *_PLACE_FIELDS,
    ]
    _diff(Enterprise, "credit_code", items, plan, fields)


def _plan_key_persons(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    hashes = {pii.blind_index(r.values["id_number"]) for r in rows if r.values.get("id_number")}
    people: dict[str, tuple[int, Place]] = {}
    hash_list = list(hashes)
    for start in range(0, len(hash_list), 20000):
        for h, pk, grid, community, path, lon, lat in Person.objects.filter(
            id_hash__in=hash_list[start : start + 20000]
        ).values_list("id_hash", "id", "grid_id", "community_id", "area_path", "longitude", "latitude"):
            people[h] = (pk, Place(grid, community, path, lon, lat))
    for row in rows:
        v = row.values
        if not v.get("id_number") or row.errors:
            continue
        found = people.get(pii.blind_index(v["id_number"]))
        if found is None:
            row.errors.append(
                RowError(row.number, col("id_number"), "person_unknown", "该身份证号的人员不在人口库中，请先导入人口")
            )
            continue
        if ref.scope_path is not None and not found[1].path.startswith(ref.scope_path):
            row.errors.append(RowError(row.number, col("id_number"), "outside_scope", "该人员不在您的管辖范围内"))
            continue
        v["person_id"], row.place = found
        v["key"] = f"{found[0]}:{v['category']}"
    _duplicates(rows, "key", col("category"), "同一人员同一类别与第{first}行重复")
    good = [r for r in rows if not r.errors]
    existing = {
        f"{p}:{c}": (pk, fp)
        for pk, p, c, fp in KeyPerson.objects.filter(person_id__in=[r.values["person_id"] for r in good]).values_list(
            "id", "person_id", "category", "fingerprint"
        )
    }

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                KeyPerson,
                person_id=v["person_id"],
                category=v["category"],
                level=v["level"],
                since=v["since"],
                note=v["note"] or "",
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    inserts, updates = [], []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp((v["key"], v["level"], v["since"], v["note"], p.path, p.longitude, p.latitude))
        known = existing.get(v["key"])
        if known is None:
            inserts.append(build(row, fp)())
        elif known[1] == fp:
            plan.unchanged += 1
        else:
            obj = build(row, fp)()
            obj.pk = known[0]
            updates.append(obj)
    plan.created += len(inserts)
    plan.updated += len(updates)
    plan.inserts.append(inserts)
    if updates:
        plan.updates.append((updates, ["level", "since", "note", *_PLACE_FIELDS]))


def _plan_party_orgs(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        _place_row(row, ref, col, building_key=None)
    _duplicates(rows, "code", col("code"), "组织编码与第{first}行重复")
    in_file = {r.values["code"] for r in rows if r.values.get("code")}
    parents = {r.values["parent_code"] for r in rows if r.values.get("parent_code")}
    known = set(PartyOrganisation.objects.filter(code__in=parents).values_list("code", flat=True)) | in_file
    for row in rows:
        parent = row.values.get("parent_code")
        if parent and parent not in known:
            row.errors.append(RowError(row.number, col("parent_code"), "parent_unknown", "上级组织编码不存在"))
        elif parent and parent == row.values.get("code"):
            row.errors.append(RowError(row.number, col("parent_code"), "parent_self", "上级组织不能是本组织"))
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                PartyOrganisation,
                code=v["code"],
                name=v["name"],
                kind=v["kind"],
                secretary=v["secretary"] or "",
                members_count=v["members_count"],
                address_text=v["address_text"] or "",
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["code"],
                v["name"],
                v["kind"],
                v["parent_code"],
                v["secretary"],
                v["members_count"],
                v["address_text"],
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["code"], fp, build(row, fp)))
    _diff(
        PartyOrganisation,
        "code",
        items,
        plan,
        ["name", "kind", "secretary", "members_count", "address_text", *_PLACE_FIELDS],
    )
    links = [(r.values["code"], r.values["parent_code"]) for r in good]

    def link_parents() -> None:
        ids = dict(PartyOrganisation.objects.filter(code__in=in_file | parents).values_list("code", "id"))
        for code, parent in links:
            PartyOrganisation.objects.filter(code=code).exclude(parent_id=ids.get(parent or "")).update(
                parent_id=ids.get(parent or "")
            )

    plan.after.append(link_parents)


PLANNERS: dict[str, Callable[[list[_Row], Reference, Callable[[str], str], _Plan, bool], None]] = {
    ImportKind.BUILDINGS: _plan_buildings,
    ImportKind.PERSONS: _plan_persons,
    ImportKind.ENTERPRISES: _plan_enterprises,
    ImportKind.KEY_PERSONS: _plan_key_persons,
    ImportKind.PARTY_ORGS: _plan_party_orgs,
}


# --- the service --------------------------------------------------------------------------------------------------


def may_import(user: User) -> bool:
    """The centre's data staff (admin, leader, analyst) and territorial unit heads, for their own area."""
    if permissions.holds(user, permissions.WHOLE_DISTRICT_ROLES):
        return True
    return permissions.is_territorial_staff(user) and permissions.holds(user, {"unit_head"})


def _write(plan: _Plan, progress: Progress | None) -> None:
    total = sum(len(g) for g in plan.inserts) + sum(len(objs) for objs, _f in plan.updates)
    done = 0
    for group in plan.inserts:
        for start in range(0, len(group), BATCH):
            chunk = group[start : start + BATCH]
            for obj in chunk:  # foreign keys to instances inserted in an earlier group
                for attname, target in obj.__dict__.pop("_dh_links", ()):
                    obj.__dict__[attname] = target.pk
            bulk_insert(chunk)
            done += len(chunk)
            if progress:
                progress("write", done, total)
    now = timezone.now()
    for objs, fields in plan.updates:
        model = type(objs[0])
        for obj in objs:
            obj.updated_at = now  # type: ignore[attr-defined]
        for start in range(0, len(objs), BATCH):
            model._default_manager.bulk_update(objs[start : start + BATCH], fields)
            done += len(objs[start : start + BATCH])
            if progress:
                progress("write", done, total)
    for step in plan.after:
        step()
    if (plan.created or plan.updated) and plan.kind in selectors.LAYER_MODELS:
        selectors.map_cells_rebuild(plan.kind)  # the map layer of the same name


def datahub_import(
    *,
    actor: User,
    kind: str,
    file_name: str,
    content: bytes,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    demo: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file, then (unless it has errors, or it is a dry run) write it; always record the attempt."""
    if not may_import(actor):
        raise PermissionDenied(_("您没有导入数据的权限"), code="import_forbidden")
    if kind not in COLUMNS:
        raise ValidationFailed(_("不支持的数据类型"), code="import_kind")
    started = time.perf_counter()
    headers, raw_rows = read_table(file_name, content)
    positions, errors = map_columns(kind, headers, mapping)
    plan = _Plan(kind=kind)
    rows: list[_Row] = []
    if not errors:
        if progress:
            progress("validate", 0, len(raw_rows))
        rows = _parse_rows(kind, headers, raw_rows, positions)
        ref = Reference.load(actor, with_buildings=kind in (ImportKind.PERSONS, ImportKind.ENTERPRISES))

        def col(key: str) -> str:
            return _header(kind, key, headers, positions)

        PLANNERS[kind](rows, ref, col, plan, demo)
        order = {header: index for index, header in enumerate(headers)}
        errors = sorted((e for r in rows for e in r.errors), key=lambda e: (e.row, order.get(e.column, -1)))
        if progress:
            progress("validate", len(raw_rows), len(raw_rows))
    failed = bool(errors) and not valid_rows_only
    status = ImportBatch.Status.FAILED if failed else ImportBatch.Status.DRY_RUN if dry_run else ImportBatch.Status.DONE
    batch = ImportBatch(
        kind=kind,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        actor=actor,
        status=status,
        rows=len(raw_rows),
        error_count=len(errors),
        errors=[e.as_dict() for e in errors[:MAX_ERRORS_KEPT]],
    )
    if not failed:
        batch.created, batch.updated, batch.unchanged = plan.created, plan.updated, plan.unchanged
    with transaction.atomic():
        if not failed and not dry_run:
            _write(plan, progress)
        batch.seconds = round(time.perf_counter() - started, 3)
        batch.save()
    return ImportResult(batch=batch, errors=errors)


def error_report_xlsx(errors: Iterable[dict[str, Any]] | Iterable[RowError]) -> bytes:
    """The error list as an .xlsx file (行号, 列, 错误代码, 说明)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "错误清单"
    sheet.append(["行号", "列", "错误代码", "说明"])
    for error in errors:
        item = error.as_dict() if isinstance(error, RowError) else error
        sheet.append([item["row"], item["column"], item["code"], item["message"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_xlsx(kind: str) -> bytes:
    """An empty import template for ``kind`` (the header row)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(ImportKind(kind).label)
    sheet.append(template_headers(kind))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
