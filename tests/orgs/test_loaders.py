"""Loading the model district's hierarchy: idempotent, updated in place, versioned boundaries."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs import loaders
from shanzhi.orgs.models import Boundary, Unit, UnitKind

REQUIRED_DEPARTMENTS = {
    "D-GA": "乌海市公安局海勃湾区分局",
    "D-FY": "海勃湾区人民法院",
    "D-JCY": "海勃湾区人民检察院",
    "D-SF": "海勃湾区司法局",
    "D-XF": "海勃湾区信访局",
    "D-ZJ": "海勃湾区住房和城乡建设局",
    "D-CG": "海勃湾区城市管理综合执法局",
    "D-SJ": "海勃湾区市场监督管理局",
    "D-HB": "乌海市生态环境局海勃湾区分局",
    "D-RS": "海勃湾区人力资源和社会保障局",
    "D-MZ": "海勃湾区民政局",
    "D-JY": "海勃湾区教育局",
    "D-WJ": "海勃湾区卫生健康委员会",
    "D-JT": "海勃湾区交通运输局",
    "D-YJ": "海勃湾区应急管理局",
    "D-ZR": "乌海市自然资源局海勃湾区分局",
    "D-SW": "海勃湾区水务局",
    "D-FL": "海勃湾区妇女联合会",
}


def _counts() -> dict[str, int]:
    return {kind: Unit.objects.filter(kind=kind).count() for kind in UnitKind.values}


@pytest.mark.django_db
def test_hierarchy_load_twice_gives_the_same_tree():
    first = loaders.hierarchy_load()
    after_first = _counts()
    pks = dict(Unit.objects.values_list("code", "pk"))
    second = loaders.hierarchy_load()

    assert _counts() == after_first
    assert dict(Unit.objects.values_list("code", "pk")) == pks
    assert first["divisions"].created == 53 and second["divisions"].created == 0
    assert second["divisions"].updated == 0 and second["departments"].updated == 0
    assert second["boundary"].unchanged == 1

    assert after_first[UnitKind.CITY] == 1
    assert after_first[UnitKind.DISTRICT] == 1
    assert after_first[UnitKind.TOWN] == 8
    assert after_first[UnitKind.COMMUNITY] == 43
    assert after_first[UnitKind.CENTRE] == 1

    virtual = set(Unit.objects.filter(is_virtual=True).values_list("code", flat=True))
    assert virtual == {"150302400000", "150302400498"}
    assert Unit.objects.filter(kind=UnitKind.TOWN, is_virtual=False).count() == 7
    assert Unit.objects.filter(kind=UnitKind.COMMUNITY, is_virtual=False).count() == 42


@pytest.mark.django_db
def test_units_have_real_codes_paths_and_names():
    loaders.hierarchy_load()
    district = Unit.objects.get(code="150302000000")
    assert district.name == "海勃湾区" and district.parent is not None
    assert district.parent.code == "150300000000"
    heping = Unit.objects.get(code="150302001002")
    assert heping.name == "和平社区居委会"
    assert heping.kind == UnitKind.COMMUNITY
    assert heping.path == "/150300000000/150302000000/150302001000/150302001002/"
    assert heping.depth == 3
    for unit in Unit.objects.filter(kind__in=[UnitKind.TOWN, UnitKind.COMMUNITY]):
        assert len(unit.code) == 12 and unit.code.isdigit()
        assert unit.path.startswith(district.path)
    assert Unit.objects.get(code="150302001000").name_en == "Fenghuangling Subdistrict"

    centre = Unit.objects.get(kind=UnitKind.CENTRE)
    assert centre.parent == district and centre.name == "海勃湾区社会治理中心"

    departments = {u.code: u for u in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.UTILITY])}
    for code, name in REQUIRED_DEPARTMENTS.items():
        assert departments[code].name == name
        assert departments[code].parent == district
    assert {"U-GR", "U-GS", "U-GD"} <= {c for c, u in departments.items() if u.kind == UnitKind.UTILITY}
    assert any(u.is_stationed for u in departments.values())
    assert not all(u.is_stationed for u in departments.values())


@pytest.mark.django_db
def test_loader_updates_in_place_and_versions_the_boundary():
    loaders.hierarchy_load()
    heping = Unit.objects.get(code="150302001002")
    Unit.objects.filter(pk=heping.pk).update(name="改错的名字")
    loaders.divisions_load()
    heping.refresh_from_db()
    assert heping.name == "和平社区居委会"

    district = Unit.objects.get(code="150302000000")
    first = Boundary.objects.get(unit=district)
    assert first.is_demo and first.is_current and first.version == 1
    square = {"type": "Polygon", "coordinates": [[[106.8, 39.6], [106.9, 39.6], [106.9, 39.7], [106.8, 39.6]]]}
    loaders.district_boundary_load(geojson=square)
    rows = list(Boundary.objects.filter(unit=district).order_by("version"))
    assert [(b.version, b.is_current) for b in rows] == [(1, False), (2, True)]
    _boundary, outcome = loaders.district_boundary_load(geojson=square)
    assert outcome == "unchanged"


@pytest.mark.django_db
def test_a_bad_divisions_file_is_refused_with_a_coded_error():
    with pytest.raises(ValidationFailed) as error:
        loaders.divisions_load(csv_text="code,name,level,parent_code\n1503,海勃湾区,district,150300000000\n")
    assert error.value.code == "invalid_division_code"
    with pytest.raises(ValidationFailed) as error:
        loaders.divisions_load(csv_text="code,name,level,parent_code\n150302001000,凤凰岭街道,township,150302000000\n")
    assert error.value.code == "division_parent_missing"
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_load_divisions_command_reports_and_is_repeatable(capsys):
    call_command("load_divisions")
    call_command("load_divisions")
    out = capsys.readouterr().out
    assert "新增 0，更新 0，未变 53" in out
    assert Unit.objects.filter(kind=UnitKind.COMMUNITY).count() == 43


def test_the_shipped_boundary_is_one_polygon_of_the_district():
    data = json.loads(loaders.DISTRICT_BOUNDARY_GEOJSON.read_text(encoding="utf-8"))
    feature = data["features"][0]
    assert feature["properties"]["adcode"] == 150302
    assert feature["geometry"]["type"] == "MultiPolygon"
