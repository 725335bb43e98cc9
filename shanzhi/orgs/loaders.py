"""Loading the hierarchy: divisions (city → district → towns → communities), the centre, the departments and the
district boundary. Every loader is idempotent and updates rows in place (matched by ``code``); running it twice
changes nothing the second time.

Data files live in ``shanzhi/orgs/data/`` (see its README for sources and terms).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Boundary, Unit, UnitKind

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA_DIR / "haibowan-divisions.csv"
DISTRICT_BOUNDARY_GEOJSON = DATA_DIR / "haibowan-150302-boundary.geojson"
DEPARTMENTS_CSV = DATA_DIR / "departments.csv"

CITY_CODE = "150300000000"
CITY_NAME = "乌海市"
CENTRE_NAME = "海勃湾区社会治理中心"

_LEVEL_KINDS = {"district": UnitKind.DISTRICT, "township": UnitKind.TOWN, "village": UnitKind.COMMUNITY}

# English names where they are plain translations (communities are left without: pinyin adds nothing).
NAMES_EN = {
    "150300000000": "Wuhai City",
    "150302000000": "Haibowan District",
    "150302001000": "Fenghuangling Subdistrict",
    "150302002000": "Haibei Subdistrict",
    "150302003000": "Xinhua Subdistrict",
    "150302004000": "Xinhua West Subdistrict",
    "150302007000": "Binhe Subdistrict",
    "150302008000": "Linyin Subdistrict",
    "150302101000": "Qianlishan Town",
    "150302400000": "Haibowan Industrial Park, Wuhai High-tech Industrial Development Zone",
    "150302400498": "Industrial Park Service Centre (virtual community)",
}


@dataclass
class LoadCounts:
    """What a loader did, by unit kind where it matters."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str, kind: str = "") -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if kind:
            self.by_kind[str(kind)] = self.by_kind.get(str(kind), 0) + 1

    def merge(self, other: LoadCounts) -> LoadCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for kind, n in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, 0) + n
        return self

    def __str__(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"


def unit_upsert(*, code: str, **values: Any) -> tuple[Unit, str]:
    """Create the unit ``code`` or update the given fields in place. Returns the unit and "created", "updated" or
    "unchanged". The path is recomputed when the parent changed."""
    unit = Unit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        unit = Unit(code=code, **values)
        unit.save()
        return unit, "created"
    changed = False
    for name, value in values.items():
        if getattr(unit, name) != value:
            setattr(unit, name, value)
            changed = True
    if changed or unit.path != unit.compute_path():
        unit.save()
        return unit, "updated"
    return unit, "unchanged"


def is_virtual_division(*, code: str, name: str, level: str, parent_virtual: bool) -> bool:
    """统计用虚拟单位: a 虚拟社区, anything under a virtual unit, or a township-level code 400-599
    (类似乡级单位: development zones and parks that are not statutory towns)."""
    if parent_virtual or "虚拟" in name:
        return True
    return level == "township" and 400 <= int(code[6:9]) <= 599


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8").lstrip("\ufeff")


def _parse_divisions(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    for line_no, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        if len(code) != 12 or not code.isdigit():
            raise ValidationFailed(
                _("第 %(line)s 行的区划代码须为 12 位数字") % {"line": line_no}, code="invalid_division_code"
            )
        if (row.get("level") or "").strip() not in _LEVEL_KINDS:
            raise ValidationFailed(_("第 %(line)s 行的层级无效") % {"line": line_no}, code="invalid_division_level")
    return rows


@transaction.atomic
def divisions_load(*, csv_text: str | None = None) -> LoadCounts:
    """The city, the district and its towns and communities from the statistical divisions CSV
    (``code,name,level,parent_code``). Parents must come before their children in the file."""
    rows = _parse_divisions(csv_text if csv_text is not None else _read_text(DIVISIONS_CSV))
    counts = LoadCounts()
    city, outcome = unit_upsert(
        code=CITY_CODE, name=CITY_NAME, name_en=NAMES_EN[CITY_CODE], kind=UnitKind.CITY, parent=None
    )
    counts.add(outcome, UnitKind.CITY)
    by_code: dict[str, Unit] = {CITY_CODE: city}
    for sort, row in enumerate(rows, start=1):
        code, name, level = row["code"].strip(), row["name"].strip(), row["level"].strip()
        parent = by_code.get(row["parent_code"].strip())
        if parent is None:
            raise ValidationFailed(
                _("区划 %(code)s 的上级 %(parent)s 不在文件中或排在其后")
                % {"code": code, "parent": row["parent_code"]},
                code="division_parent_missing",
            )
        kind = _LEVEL_KINDS[level]
        unit, outcome = unit_upsert(
            code=code,
            name=name,
            name_en=NAMES_EN.get(code, ""),
            kind=kind,
            parent=parent,
            is_virtual=is_virtual_division(code=code, name=name, level=level, parent_virtual=parent.is_virtual),
            sort=sort,
        )
        counts.add(outcome, kind)
        by_code[code] = unit
    repair_paths()
    return counts


def district_unit() -> Unit:
    code = str(settings.SHANZHI["DISTRICT_CODE"])
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationFailed(_("尚未导入本区区划 %(code)s") % {"code": code}, code="district_missing")
    return unit


@transaction.atomic
def centre_load() -> tuple[Unit, str]:
    """The district's social-governance centre (kind ``centre``, under the district)."""
    return unit_upsert(
        code=str(settings.SHANZHI["CENTRE_CODE"]),
        name=CENTRE_NAME,
        name_en="Haibowan District Social Governance Centre",
        kind=UnitKind.CENTRE,
        parent=district_unit(),
        sort=0,
    )


@transaction.atomic
def departments_load(*, csv_text: str | None = None) -> LoadCounts:
    """Functional departments and utilities (``code,name,name_en,kind,is_stationed,phone``), under the district."""
    text = csv_text if csv_text is not None else _read_text(DEPARTMENTS_CSV)
    district = district_unit()
    counts = LoadCounts()
    for sort, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        kind = (row.get("kind") or "department").strip()
        if kind not in (UnitKind.DEPARTMENT, UnitKind.UTILITY):
            raise ValidationFailed(
                _("第 %(line)s 行的单位类型须为 department 或 utility") % {"line": sort + 1},
                code="invalid_department_kind",
            )
        _unit, outcome = unit_upsert(
            code=row["code"].strip(),
            name=row["name"].strip(),
            name_en=(row.get("name_en") or "").strip(),
            kind=kind,
            parent=district,
            is_stationed=(row.get("is_stationed") or "").strip().lower() in {"1", "true", "yes", "是"},
            phone=(row.get("phone") or "").strip(),
            sort=1000 + sort,
        )
        counts.add(outcome, kind)
    return counts


def _geometry_of(geojson: dict[str, Any]) -> dict[str, Any]:
    if geojson.get("type") == "FeatureCollection":
        geojson = geojson["features"][0]
    if geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationFailed(_("边界须为 Polygon 或 MultiPolygon"), code="invalid_boundary")
    return geojson


@transaction.atomic
def boundary_set(*, unit: Unit, geojson: dict[str, Any], is_demo: bool) -> tuple[Boundary, str]:
    """Make ``geojson`` the unit's current boundary. The same geometry again changes nothing; a different one is
    stored as a new version and the old one kept (geography is versioned, not overwritten)."""
    geometry = _geometry_of(geojson)
    current = unit.boundaries.filter(is_current=True).order_by("-version").first()
    if current is not None and current.geojson == geometry and current.is_demo == is_demo:
        return current, "unchanged"
    unit.boundaries.filter(is_current=True).update(is_current=False)
    version = (unit.boundaries.aggregate(m=Max("version"))["m"] or 0) + 1
    boundary = Boundary.objects.create(unit=unit, version=version, geojson=geometry, is_current=True, is_demo=is_demo)
    return boundary, "created" if current is None else "updated"


def district_boundary_load(*, geojson: dict[str, Any] | None = None) -> tuple[Boundary, str]:
    """The district outline (demo data: see the data README)."""
    data = geojson if geojson is not None else json.loads(_read_text(DISTRICT_BOUNDARY_GEOJSON))
    return boundary_set(unit=district_unit(), geojson=data, is_demo=True)


def repair_paths() -> int:
    """Recompute stored paths top-down (after a unit moved); returns how many rows were fixed."""
    units = list(Unit.objects.order_by("depth", "id"))
    by_id = {u.pk: u for u in units}
    fixed = 0
    for unit in sorted(units, key=lambda u: _chain_length(u, by_id)):
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        path = f"{parent.path if parent else '/'}{unit.code}/"
        if path != unit.path:
            unit.path = path
            unit.depth = path.count("/") - 2
            Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
            fixed += 1
    return fixed


def _chain_length(unit: Unit, by_id: dict[int, Unit]) -> int:
    n, node = 0, unit
    while node.parent_id and node.parent_id in by_id and n < 64:
        node = by_id[node.parent_id]
        n += 1
    return n


@transaction.atomic
def hierarchy_load() -> dict[str, LoadCounts]:
    """Everything above the grids: divisions, the centre, departments and the district boundary."""
    divisions = divisions_load()
    centre = LoadCounts()
    centre.add(centre_load()[1], UnitKind.CENTRE)
    departments = departments_load()
    boundary = LoadCounts()
    boundary.add(district_boundary_load()[1])
    return {"divisions": divisions, "centre": centre, "departments": departments, "boundary": boundary}
