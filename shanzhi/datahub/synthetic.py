"""Synthetic departmental files for the demo and the benchmark: buildings inside the current grid polygons, persons
with plausible names and valid GB 11643 ID numbers in households and dwellings, enterprises with valid credit codes,
key persons and party organisations. Deterministic for a seed; written as the CSV files a department would send,
so that the demo and the benchmark go through the real import.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from shapely.prepared import prep

from shanzhi.datahub import imports, rules
from shanzhi.datahub.models import BuildingUse, ImportKind, KeyCategory, PartyOrganisation, Residence
from shanzhi.orgs.models import Boundary, UnitKind
from shanzhi.places.geometry import geometry_from_geojson

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁"
    "欣怡梓涵子轩浩然雨桐佳琪思远晨曦"
)
AREAS = ("150302", "150302", "150302", "150303", "150304", "152801", "152601", "640202", "130102", "410105")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
INDUSTRIES = (
    "批发零售",
    "住宿餐饮",
    "居民服务",
    "建筑业",
    "制造业",
    "交通运输",
    "信息技术",
    "租赁商务",
    "教育培训",
    "卫生",
)


@dataclass(frozen=True)
class Volumes:
    buildings: int
    persons: int
    enterprises: int
    key_persons: int
    party_orgs_extra: int


VOLUMES = {
    "demo": Volumes(buildings=240, persons=1200, enterprises=60, key_persons=40, party_orgs_extra=5),
    # The model district's design volumes (issue 14).
    "district": Volumes(
        buildings=140_000, persons=260_000, enterprises=30_000, key_persons=10_000, party_orgs_extra=250
    ),
}


def id_number(rng: random.Random, area: str | None = None, year: int | None = None) -> str:
    year = year or rng.randint(1940, 2022)
    body = f"{area or rng.choice(AREAS)}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def credit_code(rng: random.Random) -> str:
    body = "9115030" + "2" + "".join(rng.choice(rules.CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + rules.credit_code_check(body)


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass
class _Grid:
    code: str
    community_code: str
    polygon: object
    bounds: tuple[float, float, float, float]


def _grids() -> list[_Grid]:
    rows = Boundary.objects.filter(is_current=True, unit__kind=UnitKind.GRID, unit__is_active=True).select_related(
        "unit", "unit__parent"
    )
    grids = []
    for row in rows.order_by("unit__code"):
        geometry = geometry_from_geojson(row.geojson)
        parent = row.unit.parent
        grids.append(_Grid(row.unit.code, parent.code if parent else "", prep(geometry), geometry.bounds))
    return grids


def _point(rng: random.Random, grid: _Grid) -> tuple[float, float]:
    from shapely.geometry import Point

    west, south, east, north = grid.bounds
    for _ in range(200):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if grid.polygon.contains(Point(lon, lat)):  # type: ignore[attr-defined]
            return round(lon, 6), round(lat, 6)
    return round((west + east) / 2, 6), round((south + north) / 2, 6)


@dataclass
class Files:
    buildings: bytes
    persons: bytes
    enterprises: bytes
    key_persons: bytes
    party_orgs: bytes
    counts: dict[str, int]


def files(*, seed: int, scale: str) -> Files:
    """The five files for ``scale`` ("demo" or "district"), over the grids that have a current boundary."""
    volumes = VOLUMES[scale]
    rng = random.Random(seed)
    grids = _grids()
    if not grids:
        raise ValueError("no grid boundaries: run `shanzhi demo_grids` first")
    building_rows: list[list[object]] = []
    shapes: list[tuple[str, str, int, int, BuildingUse]] = []  # code, grid, floors, entrances, use
    uses = [BuildingUse.RESIDENTIAL] * 7 + [BuildingUse.MIXED, BuildingUse.COMMERCIAL, BuildingUse.PUBLIC]
    for n in range(volumes.buildings):
        grid = grids[n % len(grids)]
        lon, lat = _point(rng, grid)
        use = rng.choice(uses)
        floors = rng.choice((1, 1, 2, 3, 5, 6, 6, 7, 11, 18, 26))
        entrances = 1 if floors < 3 else rng.randint(1, 4)
        code = f"{grid.code}B{n // len(grids) + 1:05d}"
        shapes.append((code, grid.code, floors, entrances, use))
        building_rows.append(
            [code, f"{n // len(grids) + 1}号楼", "", use.label, floors, entrances, grid.code, lon, lat]
        )

    person_rows: list[list[object]] = []
    seen: set[str] = set()
    household = 0
    residential = [s for s in shapes if s[4] in (BuildingUse.RESIDENTIAL, BuildingUse.MIXED)] or shapes
    residences = [Residence.REGISTERED.label] * 7 + [Residence.RESIDENT.label] * 2 + [Residence.FLOATING.label]
    while len(person_rows) < volumes.persons:
        household += 1
        code, _grid_code, floors, entrances, _use = rng.choice(residential)
        entrance = rng.randint(1, entrances)
        room = f"{rng.randint(1, floors)}{rng.randint(1, 4):02d}"
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 5)), volumes.persons - len(person_rows))
        head_year = rng.randint(1945, 1995)
        for member in range(size):
            relation = "户主" if member == 0 else ("配偶" if member == 1 else "子女")
            year = head_year if member < 2 else rng.randint(head_year + 20, min(head_year + 40, 2024))
            number = id_number(rng, year=year)
            while number in seen:
                number = id_number(rng, year=year)
            seen.add(number)
            phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.7 else ""
            person_rows.append(
                [
                    name(rng),
                    number,
                    phone,
                    rng.choice(residences),
                    f"H{household:08d}",
                    relation,
                    code,
                    entrance,
                    room,
                    "",
                ]
            )

    commercial = [s for s in shapes if s[4] in (BuildingUse.COMMERCIAL, BuildingUse.MIXED)] or shapes
    enterprise_rows: list[list[object]] = []
    codes: set[str] = set()
    while len(enterprise_rows) < volumes.enterprises:
        code = credit_code(rng)
        if code in codes:
            continue
        codes.add(code)
        building = rng.choice(commercial)
        enterprise_rows.append(
            [
                code,
                f"乌海市{name(rng)}{rng.choice(INDUSTRIES)}有限公司",
                name(rng),
                "",
                rng.choice(INDUSTRIES),
                rng.randint(1, 300),
                "",
                building[0],
                "",
                "",
                "",
            ]
        )

    categories = [c.label for c in KeyCategory]
    chosen = rng.sample(range(len(person_rows)), min(volumes.key_persons, len(person_rows)))
    key_rows = [
        [person_rows[i][1], rng.choice(categories), rng.choice(("一般关注", "重点关注", "高度关注")), "", ""]
        for i in chosen
    ]

    party_rows: list[list[object]] = []
    communities = sorted({g.community_code for g in grids if g.community_code})
    for community in communities:
        party_rows.append(
            [
                f"P{community}",
                f"社区党委{community[-3:]}",
                PartyOrganisation.Kind.COMMITTEE.label,
                "",
                name(rng),
                rng.randint(60, 300),
                "",
                "",
                "",
                "",
            ]
        )
    for grid in grids:
        lon, lat = _point(rng, grid)
        party_rows.append(
            [
                f"P{grid.code}",
                f"网格党支部{grid.code[-3:]}",
                PartyOrganisation.Kind.BRANCH.label,
                f"P{grid.community_code}" if grid.community_code else "",
                name(rng),
                rng.randint(5, 60),
                "",
                grid.code,
                lon,
                lat,
            ]
        )
    for n in range(volumes.party_orgs_extra):
        grid = grids[n % len(grids)]
        lon, lat = _point(rng, grid)
        party_rows.append(
            [
                f"P{grid.code}E{n:04d}",
                f"非公企业联合党支部{n + 1}",
                PartyOrganisation.Kind.JOINT_BRANCH.label,
                f"P{grid.community_code}" if grid.community_code else "",
                name(rng),
                rng.randint(3, 30),
                "",
                grid.code,
                lon,
                lat,
            ]
        )
    # A community committee is placed at its first grid (party rows need a place).
    first_grid: dict[str, _Grid] = {}
    for grid in grids:
        first_grid.setdefault(grid.community_code, grid)
    for row in party_rows[: len(communities)]:
        grid = first_grid[str(row[0])[1:]]
        row[7], (row[8], row[9]) = grid.code, _point(rng, grid)

    return Files(
        buildings=_csv(
            ["楼栋编码", "名称", "地址", "用途", "层数", "单元数", "网格编码", "经度", "纬度"], building_rows
        ),
        persons=_csv(imports.template_headers(ImportKind.PERSONS), person_rows),
        enterprises=_csv(imports.template_headers(ImportKind.ENTERPRISES), enterprise_rows),
        key_persons=_csv(imports.template_headers(ImportKind.KEY_PERSONS), key_rows),
        party_orgs=_csv(imports.template_headers(ImportKind.PARTY_ORGS), party_rows),
        counts={
            "buildings": len(building_rows),
            "persons": len(person_rows),
            "enterprises": len(enterprise_rows),
            "key_persons": len(key_rows),
            "party_orgs": len(party_rows),
        },
    )
