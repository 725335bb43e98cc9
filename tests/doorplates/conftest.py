"""Doorplate fixtures: a compound with one building (two entrances, a few households) and its plates."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shanzhi.places import register
from shanzhi.places.models import Building, Doorplate, Household, StandardAddress


@dataclass
class Estate:
    compound: StandardAddress
    building: Building
    plate: Doorplate  # on entrance 2 of the building
    building_plate: Doorplate
    households: list[Household]


@pytest.fixture
def estate(district) -> Estate:
    compound = register.compound_add(
        community=district.community_a, name="和平小区", grid=district.grid_a, longitude=None, latitude=None
    )
    building = register.building_add(compound=compound, floors=3, entrances=2)
    households = [
        register.household_add(
            building=building, entrance_no=2, room_no=101, head_name="张建国", head_phone="13912345678", members=3
        ),
        register.household_add(
            building=building,
            entrance_no=2,
            room_no=201,
            head_name="李秀英",
            head_phone="13812348888",
            members=1,
            needs_attention=True,
        ),
        register.household_add(
            building=building, entrance_no=1, room_no=101, head_name="王伟", head_phone="13700001111"
        ),
    ]
    entrance_2 = building.address.children.get(entrance_no=2)
    return Estate(
        compound=compound,
        building=building,
        plate=register.doorplate_issue(address=entrance_2),
        building_plate=register.doorplate_issue(address=building.address),
        households=households,
    )
