"""The one test desk every folder works with: a small district (real 海勃湾区 codes), a small catalogue, and staff
in every role at the centre, two departments, two towns, a community and a grid.

The tree (grids extend their community's code):
  乌海市 150300000000 → 海勃湾区 150302000000 → 凤凰岭街道 150302001000 → 和平社区 150302001002 → grid …002001
                                            → 新华街道   150302003000 → 清泉社区 150302003012 → grid …012001
  centre 150302-ZX (社会治理中心), departments D-ZJ (住建局), D-CG (城管局)

Fixtures in ``tests/conftest.py`` build it: ``district``, ``seed_catalogue``, ``make_user``, ``desk``, ``intake``,
``login``. A folder that needs more (API keys, boundaries, its own app's people) extends ``desk`` in its conftest
instead of building a desk of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission

from shanzhi.appeals.models import RejectReason
from shanzhi.orgs.models import Boundary, Unit, UnitKind, User
from shanzhi.routing.models import Category, DispatchRule

PASSWORD = "pass-1234-word"

# Two grids side by side inside a district box (roughly 海勃湾区), for tests that need places on the map.
DISTRICT_BOX = (106.75, 39.60, 106.90, 39.75)
GRID_A_BOX = (106.75, 39.60, 106.82, 39.75)
GRID_B_BOX = (106.82, 39.60, 106.90, 39.75)
POINT_IN_A = (106.80, 39.68)
POINT_IN_B = (106.85, 39.68)
POINT_OUTSIDE = (106.60, 39.40)  # inside China, outside the district


@dataclass
class District:
    city: Unit
    district: Unit
    town_a: Unit
    community_a: Unit
    grid_a: Unit
    town_b: Unit
    community_b: Unit
    grid_b: Unit
    centre: Unit
    dept_housing: Unit
    dept_urban: Unit


@dataclass
class Catalogue:
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 by the catalogue (住建局 assisting, if asked)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (the place's town)
    consult: Category  # 党务政务/政策咨询


@dataclass
class Desk:
    """The district, the catalogue and one member of staff per role and place."""

    district: District
    road_light: Category
    property_service: Category
    consult: Category
    operator: User  # 话务员, centre
    dispatcher: User  # 派单员, centre
    leader: User  # 中心领导
    analyst: User  # 分析员
    urban_handler: User  # 城管局 承办人
    housing_handler: User  # 住建局 承办人
    town_a_handler: User  # 凤凰岭街道 承办人
    town_b_handler: User  # 新华街道 承办人
    grid_worker_a: User  # 网格员 of 和平社区第1网格

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.road_light, self.property_service, self.consult)


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def unit_create(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)


def district_create() -> District:
    city = unit_create("150300000000", "乌海市", UnitKind.CITY)
    dist = unit_create("150302000000", "海勃湾区", UnitKind.DISTRICT, city)
    town_a = unit_create("150302001000", "凤凰岭街道", UnitKind.TOWN, dist)
    com_a = unit_create("150302001002", "和平社区居委会", UnitKind.COMMUNITY, town_a)
    grid_a = unit_create("150302001002001", "和平社区第1网格", UnitKind.GRID, com_a)
    town_b = unit_create("150302003000", "新华街道", UnitKind.TOWN, dist)
    com_b = unit_create("150302003012", "清泉社区居委会", UnitKind.COMMUNITY, town_b)
    grid_b = unit_create("150302003012001", "清泉社区第1网格", UnitKind.GRID, com_b)
    centre = unit_create("150302-ZX", "海勃湾区社会治理中心", UnitKind.CENTRE, dist)
    housing = unit_create("D-ZJ", "区住房和城乡建设局", UnitKind.DEPARTMENT, dist)
    urban = unit_create("D-CG", "区城市管理综合执法局", UnitKind.DEPARTMENT, dist)
    return District(city, dist, town_a, com_a, grid_a, town_b, com_b, grid_b, centre, housing, urban)


def boundaries_create(district: District) -> None:
    """The district box and the two grids' boxes as current boundaries (points resolve to grids)."""
    Boundary.objects.create(unit=district.district, geojson=box(*DISTRICT_BOX))
    Boundary.objects.create(unit=district.grid_a, geojson=box(*GRID_A_BOX))
    Boundary.objects.create(unit=district.grid_b, geojson=box(*GRID_B_BOX))


def catalogue_create(district: District, *, assisting: bool = True) -> Catalogue:
    """The small category tree, its dispatch catalogue and a reject reason."""
    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    prop = Category.objects.create(code="0102", name="物业管理", parent=build)
    property_service = Category.objects.create(code="010201", name="物业服务", parent=prop)
    consult_root = Category.objects.create(code="09", name="党务政务")
    consult = Category.objects.create(code="0901", name="政策咨询", parent=consult_root)
    rule = DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban)
    if assisting:
        rule.assisting_units.add(district.dept_housing)
    DispatchRule.objects.create(category=prop, lead_unit=None, territorial_level="town")
    RejectReason.objects.create(code="out_of_scope", text="不属于受理范围")
    return Catalogue(road_light, property_service, consult)


class UserFactory:
    """``make(unit, "dispatcher", "operator", username=..., personal_data=True)``: a staff member with roles."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, unit: Unit, *roles: str, username: str | None = None, personal_data: bool = False) -> User:
        self.count += 1
        user = User.objects.create_user(
            username=username or f"user{self.count}",
            password=PASSWORD,
            unit=unit,
            display_name=f"测试用户{self.count}",
        )
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if personal_data:
            user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
        return User.objects.get(pk=user.pk)


def desk_create(district: District, make_user: UserFactory, *, assisting: bool = True) -> Desk:
    catalogue = catalogue_create(district, assisting=assisting)
    return Desk(
        district=district,
        road_light=catalogue.road_light,
        property_service=catalogue.property_service,
        consult=catalogue.consult,
        operator=make_user(district.centre, "operator", username="op"),
        dispatcher=make_user(district.centre, "dispatcher", username="disp"),
        leader=make_user(district.centre, "leader", username="boss"),
        analyst=make_user(district.centre, "analyst", username="ana"),
        urban_handler=make_user(district.dept_urban, "handler", username="cg"),
        housing_handler=make_user(district.dept_housing, "handler", username="zj"),
        town_a_handler=make_user(district.town_a, "handler", username="ta"),
        town_b_handler=make_user(district.town_b, "handler", username="tb"),
        grid_worker_a=make_user(district.grid_a, "grid_worker", username="grid-a"),
    )
