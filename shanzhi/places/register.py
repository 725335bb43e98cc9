"""The standard-address register: compounds, buildings (with their entrances), households and doorplates."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock, pii
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.places import address_codes
from shanzhi.places.models import (
    LEVEL_ELEMENT,
    AddressElementType,
    AddressLevel,
    Building,
    Doorplate,
    Household,
    StandardAddress,
)

ELEMENT_TYPES_CSV = Path(__file__).resolve().parent / "data" / "ga_t_2000_32.csv"
STREET_TYPES = ("41", "42", "43", "44")  # 街路巷, 小区, 单位（住宅）院, 自然村
# Crockford base32 without I, L, O, U: nothing to misread on a printed plate.
PLATE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PLATE_CODE_LENGTH = 8


def element_types_load(path: Path | None = None) -> int:
    """Load (create or update) the GA/T 2000.32 element types from the CSV; returns the number of rows."""
    with (path or ELEMENT_TYPES_CSV).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # the CSV lists each class before its members
        AddressElementType.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "parent_id": (row.get("parent_code") or "").strip() or None,
                "note": (row.get("note") or "").strip(),
            },
        )
    return len(rows)


def _element(code: str) -> AddressElementType:
    found = AddressElementType.objects.filter(code=code).first()
    if found is None:
        element_types_load()
        found = AddressElementType.objects.get(code=code)
    return found


def short_unit_name(name: str) -> str:
    """和平社区居委会 → 和平社区 (the register's own spelling of area names in an address)."""
    for long, short in (
        ("社区居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("居委会", "社区"),
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("街道办事处", "街道"),
    ):
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


def _area_names(community: Unit) -> list[str]:
    chain = [
        u for u in reversed(community.ancestors()) if u.kind in (UnitKind.DISTRICT, UnitKind.TOWN, UnitKind.COMMUNITY)
    ]
    return [short_unit_name(u.name) for u in chain]


def _new(
    *,
    level: str,
    code: str,
    community: Unit,
    parent: StandardAddress | None,
    street: str,
    street_type: AddressElementType,
    grid: Unit | None,
    house_number: str = "",
    building_no: int | None = None,
    entrance_no: int | None = None,
    room_no: int | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    is_demo: bool = False,
) -> StandardAddress:
    if StandardAddress.objects.filter(code=code).exists():
        raise ValidationFailed(_("该标准地址已存在"), code="address_exists", address_code=code)
    text = address_codes.address_text(
        area_names=_area_names(community),
        street=street,
        house_number=house_number,
        building_no=building_no,
        entrance_no=entrance_no,
        room_no=room_no,
    )
    return StandardAddress.objects.create(
        code=code,
        text=text,
        level=level,
        element_type=_element(LEVEL_ELEMENT[AddressLevel(level)]),
        parent=parent,
        community=community,
        grid=grid,
        street=street,
        street_type=street_type,
        house_number=house_number,
        building_no=building_no,
        entrance_no=entrance_no,
        room_no=room_no,
        longitude=longitude,
        latitude=latitude,
        is_demo=is_demo,
    )


@transaction.atomic
def compound_add(
    *,
    community: Unit,
    name: str,
    street_type: str = "42",
    grid: Unit | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    is_demo: bool = False,
) -> StandardAddress:
    """A street or compound (小区) in a community; numbered in order of registration within the community."""
    if community.kind != UnitKind.COMMUNITY or not community.code.isdigit() or len(community.code) != 12:
        raise ValidationFailed(_("标准地址须挂在社区(村)下"), code="address_needs_community")
    if street_type not in STREET_TYPES:
        raise ValidationFailed(_("街路巷类型无效"), code="invalid_street_type")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写街路巷或小区名称"), code="street_required")
    if grid is not None and not grid.path.startswith(community.path):
        raise ValidationFailed(_("网格不属于该社区"), code="grid_outside_community")
    taken = StandardAddress.objects.filter(community=community, level=AddressLevel.COMPOUND)
    if taken.filter(street=name).exists():
        raise ValidationFailed(_("该社区已登记同名街路巷/小区"), code="address_exists")
    codes = taken.values_list("code", flat=True)
    seq = max((int(c[12:15]) for c in codes), default=0) + 1
    return _new(
        level=AddressLevel.COMPOUND,
        code=address_codes.address_code(division_code=community.code, street_seq=seq),
        community=community,
        parent=None,
        street=name,
        street_type=_element(street_type),
        grid=grid,
        longitude=longitude,
        latitude=latitude,
        is_demo=is_demo,
    )


@transaction.atomic
def building_add(
    *,
    compound: StandardAddress,
    building_no: int | None = None,
    floors: int = 6,
    entrances: int = 1,
    use: str = Building.Use.RESIDENTIAL,
    built_year: int | None = None,
    grid: Unit | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
) -> Building:
    """A building in a compound, with a standard address for each of its entrances (单元)."""
    if compound.level != AddressLevel.COMPOUND:
        raise ValidationFailed(_("建筑须登记在街路巷/小区下"), code="building_needs_compound")
    if not (1 <= floors <= 99 and 1 <= entrances <= 20):
        raise ValidationFailed(_("层数或单元数超出范围"), code="building_size_invalid")
    if building_no is None:
        building_no = (compound.children.aggregate(m=Max("building_no"))["m"] or 0) + 1
    common: dict[str, Any] = {
        "community": compound.community,
        "street": compound.street,
        "street_type": compound.street_type,
        "grid": grid or compound.grid,
        "longitude": longitude if longitude is not None else compound.longitude,
        "latitude": latitude if latitude is not None else compound.latitude,
        "is_demo": compound.is_demo,
    }
    address = _new(
        level=AddressLevel.BUILDING,
        code=address_codes.address_code(
            division_code=compound.community.code, street_seq=int(compound.code[12:15]), building_no=building_no
        ),
        parent=compound,
        building_no=building_no,
        **common,
    )
    for entrance in range(1, entrances + 1):
        _new(
            level=AddressLevel.ENTRANCE,
            code=f"{address.code}{entrance:02d}",
            parent=address,
            building_no=building_no,
            entrance_no=entrance,
            **common,
        )
    return Building.objects.create(
        address=address,
        name=f"{compound.street}{building_no}号楼",
        use=use,
        floors=floors,
        entrances=entrances,
        built_year=built_year,
    )


@transaction.atomic
def household_add(
    *,
    building: Building,
    entrance_no: int,
    room_no: int,
    head_name: str = "",
    head_phone: str = "",
    members: int = 1,
    is_rented: bool = False,
    needs_attention: bool = False,
) -> Household:
    """A household at room ``room_no`` of an entrance; creates the room's standard address."""
    entrance = building.address.children.filter(entrance_no=entrance_no, level=AddressLevel.ENTRANCE).first()
    if entrance is None:
        raise ValidationFailed(_("该建筑没有这个单元"), code="unknown_entrance")
    phone = pii.normalize_phone(head_phone) if head_phone else ""
    if phone and not pii.citizen_phone_is_valid(phone):
        raise ValidationFailed(_("联系电话格式不正确"), code="invalid_phone")
    address = _new(
        level=AddressLevel.ROOM,
        code=address_codes.address_code(
            division_code=entrance.community.code,
            street_seq=int(entrance.code[12:15]),
            building_no=entrance.building_no,
            entrance_no=entrance_no,
            room_no=room_no,
        ),
        community=entrance.community,
        parent=entrance,
        street=entrance.street,
        street_type=entrance.street_type,
        grid=entrance.grid,
        building_no=entrance.building_no,
        entrance_no=entrance_no,
        room_no=room_no,
        longitude=entrance.longitude,
        latitude=entrance.latitude,
        is_demo=entrance.is_demo,
    )
    return Household.objects.create(
        address=address,
        building=building,
        entrance_no=entrance_no,
        room_no=room_no,
        head_name=head_name.strip()[:50],
        head_phone=phone,
        members=members,
        is_rented=is_rented,
        needs_attention=needs_attention,
    )


def _plate_code() -> str:
    return "".join(secrets.choice(PLATE_ALPHABET) for _ in range(PLATE_CODE_LENGTH))


@transaction.atomic
def doorplate_issue(*, address: StandardAddress, at: dt.datetime | None = None) -> Doorplate:
    """Issue a doorplate for an address (a building or one of its entrances usually; a room for a shop door)."""
    if address.level == AddressLevel.COMPOUND:
        raise ValidationFailed(_("门牌须对应建筑、单元或房屋"), code="doorplate_needs_building")
    code = _plate_code()
    while Doorplate.objects.filter(code=code).exists():
        code = _plate_code()
    return Doorplate.objects.create(
        code=code, address=address, qr_token=secrets.token_urlsafe(12), issued_at=at or clock.now()
    )


@transaction.atomic
def doorplate_reissue(*, doorplate: Doorplate, at: dt.datetime | None = None) -> Doorplate:
    """A new QR token for a replaced plate: scans of the old print are recognised as outdated."""
    doorplate.qr_token = secrets.token_urlsafe(12)
    doorplate.issued_at = at or clock.now()
    doorplate.is_active = True
    doorplate.save(update_fields=["qr_token", "issued_at", "is_active"])
    return doorplate
