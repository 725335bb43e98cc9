"""Demo standard addresses for the model district: compounds, buildings, households and doorplates in a few
communities. Everything is marked ``is_demo``; names and phone numbers are invented."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from shanzhi.orgs.models import Boundary, Unit, UnitKind
from shanzhi.places import register
from shanzhi.places.geometry import geometry_from_geojson
from shanzhi.places.models import AddressLevel, StandardAddress

ALIASES_CSV = Path(__file__).resolve().parent / "data" / "place-aliases.csv"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰凤红春梅建国志文海燕鹏飞宇浩晨阳子涵欣怡"
COMPOUND_SUFFIXES = ("小区", "家园")


@dataclass
class DemoReport:
    communities: list[str] = field(default_factory=list)
    compounds: int = 0
    buildings: int = 0
    households: int = 0
    doorplates: int = 0

    @property
    def lines(self) -> list[str]:
        if not self.communities:
            return ["演示标准地址已存在或没有可用的社区，未新增。"]
        return [
            f"演示标准地址：{'、'.join(self.communities)}",
            f"  小区 {self.compounds} 个，建筑 {self.buildings} 栋，"
            f"住户 {self.households} 户，门牌 {self.doorplates} 块",
        ]


def _compound_names(community: Unit) -> list[str]:
    names: list[str] = []
    if ALIASES_CSV.exists():
        with ALIASES_CSV.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if (row.get("kind") or "").strip() == "compound" and (
                    row.get("unit_code") or ""
                ).strip() == community.code:
                    names.append(row["alias"].strip())
    core = register.short_unit_name(community.name).removesuffix("社区").removesuffix("村") or community.name[:2]
    for suffix in COMPOUND_SUFFIXES:
        candidate = f"{core}{suffix}"
        if candidate not in names:
            names.append(candidate)
    return names[:2]


def _point_in(unit: Unit, rng: random.Random) -> tuple[float | None, float | None]:
    boundary = Boundary.objects.filter(unit=unit, is_current=True).first()
    if boundary is None:
        return unit.longitude, unit.latitude
    from shapely.geometry import Point

    shape = geometry_from_geojson(boundary.geojson)
    minx, miny, maxx, maxy = shape.bounds
    for _ in range(200):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shape.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _communities(count: int) -> list[Unit]:
    district = str(settings.SHANZHI["DISTRICT_CODE"])
    candidates = Unit.objects.filter(
        kind=UnitKind.COMMUNITY, is_active=True, is_virtual=False, path__contains=f"/{district}/"
    ).order_by("path")
    chosen: list[Unit] = []
    for community in candidates:
        if not (community.code.isdigit() and len(community.code) == 12):
            continue
        if StandardAddress.objects.filter(community=community).exists():
            continue
        if not Unit.objects.filter(parent=community, kind=UnitKind.GRID, is_active=True).exists():
            continue
        chosen.append(community)
        if len(chosen) == count:
            break
    return chosen


@transaction.atomic
def demo_addresses_load(
    *, communities: int = 3, buildings_per_compound: int = 3, floors: int = 6, seed: int = 20251128
) -> DemoReport:
    """Create demo addresses in ``communities`` communities that have none yet (idempotent: reruns add nothing)."""
    rng = random.Random(seed)
    report = DemoReport()
    for community in _communities(communities):
        report.communities.append(register.short_unit_name(community.name))
        grids = list(Unit.objects.filter(parent=community, kind=UnitKind.GRID, is_active=True).order_by("code"))
        for index, name in enumerate(_compound_names(community)):
            grid = grids[index % len(grids)]
            lon, lat = _point_in(grid, rng)
            compound = register.compound_add(
                community=community, name=name, grid=grid, longitude=lon, latitude=lat, is_demo=True
            )
            report.compounds += 1
            for _number in range(buildings_per_compound):
                b_lon, b_lat = _point_in(grid, rng)
                building = register.building_add(
                    compound=compound,
                    floors=floors,
                    entrances=2,
                    built_year=rng.choice([1992, 1998, 2003, 2008, 2012, 2016]),
                    longitude=b_lon,
                    latitude=b_lat,
                )
                report.buildings += 1
                register.doorplate_issue(address=building.address)
                report.doorplates += 1
                for entrance in building.address.children.filter(level=AddressLevel.ENTRANCE).order_by("code"):
                    register.doorplate_issue(address=entrance)
                    report.doorplates += 1
                    for floor in range(1, floors + 1):
                        for door in (1, 2):
                            if rng.random() < 0.12:
                                continue  # vacant
                            register.household_add(
                                building=building,
                                entrance_no=entrance.entrance_no or 1,
                                room_no=floor * 100 + door,
                                head_name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2]))),
                                head_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                                members=rng.choice([1, 2, 2, 3, 3, 3, 4, 5]),
                                is_rented=rng.random() < 0.15,
                                needs_attention=rng.random() < 0.05,
                            )
                            report.households += 1
    return report
