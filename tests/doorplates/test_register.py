"""Standard addresses: GA/T 2000.32 element types, GB/T 39609-style codes, buildings, households, the demo set."""

from __future__ import annotations

import pytest

from shanzhi.core.errors import ValidationFailed
from shanzhi.places import address_codes, register
from shanzhi.places.models import AddressElementType, AddressLevel, Doorplate, Household, StandardAddress

pytestmark = pytest.mark.django_db


def test_codes_are_prefixes_of_each_other():
    code = address_codes.address_code(
        division_code="150302001002", street_seq=42, building_no=3, entrance_no=2, room_no=501
    )
    assert code == "1503020010020420003020501"
    assert address_codes.code_level(code) == "room"
    assert address_codes.code_level(code[:19]) == "building"
    assert address_codes.format_code(code) == "150302001002 042 0003 02 0501"
    with pytest.raises(ValueError):
        address_codes.address_code(division_code="1503", street_seq=1)
    with pytest.raises(ValueError):
        address_codes.address_code(division_code="150302001002", street_seq=1, entrance_no=2)
    with pytest.raises(ValueError):
        address_codes.code_level("15030200100204")


def test_element_types_come_from_ga_t_2000_32():
    register.element_types_load()
    assert AddressElementType.objects.get(code="42").name == "小区"
    assert AddressElementType.objects.get(code="61").parent_id == "60"
    assert AddressElementType.objects.count() == 22


def test_register_builds_the_address_tree(estate, district):
    assert estate.compound.code == "150302001002001"
    assert estate.building.address.code == "1503020010020010001"
    assert estate.building.name == "和平小区1号楼"
    entrances = estate.building.address.children.order_by("code")
    assert [e.code for e in entrances] == ["150302001002001000101", "150302001002001000102"]
    room = estate.households[0].address
    assert room.code == "1503020010020010001020101"
    assert room.text == "海勃湾区凤凰岭街道和平社区和平小区1号楼2单元101室"
    assert room.level == AddressLevel.ROOM and room.element_type.name == "室（号）"
    assert room.grid == district.grid_a and room.community == district.community_a
    second = register.compound_add(community=district.community_a, name="和平家园")
    assert second.code == "150302001002002"


def test_register_refuses_bad_input(estate, district):
    with pytest.raises(ValidationFailed) as exc:
        register.compound_add(community=district.community_a, name="和平小区")
    assert exc.value.code == "address_exists"
    with pytest.raises(ValidationFailed):
        register.compound_add(community=district.town_a, name="某小区")
    with pytest.raises(ValidationFailed):
        register.compound_add(community=district.community_a, name="乙小区", grid=district.grid_b)
    with pytest.raises(ValidationFailed) as exc:
        register.household_add(building=estate.building, entrance_no=9, room_no=101)
    assert exc.value.code == "unknown_entrance"
    with pytest.raises(ValidationFailed) as exc:
        register.household_add(building=estate.building, entrance_no=1, room_no=301, head_phone="1381234")
    assert exc.value.code == "invalid_phone"
    with pytest.raises(ValidationFailed):
        register.doorplate_issue(address=estate.compound)


def test_household_personal_data_is_masked_by_default(estate):
    household = estate.households[0]
    assert household.head_name_masked == "张*国"
    assert household.head_phone_masked == "139****5678"


def test_plate_codes_are_unique_and_reissue_rotates_the_token(estate):
    plate = estate.plate
    assert len(plate.code) == 8 and set(plate.code) <= set(register.PLATE_ALPHABET)
    old = plate.qr_token
    register.doorplate_reissue(doorplate=plate)
    assert Doorplate.objects.get(pk=plate.pk).qr_token != old


def test_demo_addresses_are_created_once(district):
    from shanzhi.places.demo_addresses import demo_addresses_load

    report = demo_addresses_load(communities=2, buildings_per_compound=1, floors=2)
    assert report.communities == ["和平社区", "清泉社区"]
    assert report.compounds == 4 and report.buildings == 4
    assert report.doorplates == 4 * 3  # a plate per building and per entrance
    assert Household.objects.count() == report.households > 0
    assert StandardAddress.objects.filter(is_demo=False).count() == 0
    assert demo_addresses_load(communities=2).communities == []
