"""Imports: a deliberately broken file gives the exact error list and stores nothing; the fixed file imports
completely; importing it twice changes nothing (issue 14's first "must show")."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.datahub.imports import error_report_xlsx, template_xlsx
from shanzhi.datahub.models import (
    Enterprise,
    House,
    Household,
    HubBuilding,
    ImportBatch,
    KeyPerson,
    PartyOrganisation,
    Person,
)
from shanzhi.datahub.rules import credit_code_check

from .conftest import PERSON_HEADER, csv_bytes, make_id, xlsx

GRID_A = "150302001002001"
GRID_B = "150302003012001"


def persons_rows(*, broken: bool) -> list[list[object]]:
    good = make_id(1)
    rows: list[list[object]] = [
        PERSON_HEADER,
        ["张三", good, "13800001234", "户籍人口", "H0001", "户主", "B-A-001", 1, "101", ""],
        ["李四", make_id(2), "", "常住人口", "H0001", "配偶", "B-A-001", 1, "101", ""],
        ["王五", make_id(3), "0473-2012345", "流动人口", "H0002", "户主", "B-B-001", 1, "201", ""],
        ["赵六", make_id(4), "", "", "", "", "", "", "", GRID_A],
        ["钱七", make_id(5), "13912345678", "registered", "H0003", "户主", "B-A-002", 2, "1802", ""],
        ["孙八", make_id(6), "", "", "", "", "", "", "", GRID_B],
        ["周九", make_id(7), "", "", "", "", "B-B-001", "", "", ""],
    ]
    if broken:
        wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
        rows[2][1] = wrong_check  # row 3: the check character is wrong
        rows[3][0] = ""  # row 4: no name
        rows[3][2] = "12345"  # row 4: not a citizen's phone
        rows[4][1] = good  # row 5: the same ID number as row 2
        rows[5][9] = "150302999999001"  # row 6: a grid that does not exist
        rows[6][3] = "外星人口"  # row 7: not a residence type
        rows[7][6] = "B-X-404"  # row 8: an unknown building
        rows[7][1] = "1503021985"  # row 8: too short as well
    return rows


EXPECTED_ERRORS = [
    (3, "身份证号", "id_checksum", "身份证号出生日期或校验位不正确（GB 11643）"),
    (4, "姓名", "required", "必填项不能为空"),
    (4, "手机号", "phone_invalid", "电话号码格式不正确（应为手机号或固定电话）"),
    (5, "身份证号", "duplicate_in_file", "身份证号与第2行重复"),
    (6, "网格编码", "division_unknown", "网格/社区编码不存在"),
    (7, "人口类型", "choice_invalid", "取值应为：户籍人口、常住人口、流动人口"),
    (8, "身份证号", "id_format", "身份证号应为18位（最后一位可为X）"),
    (8, "楼栋编码", "building_unknown", "楼栋编码在数据中心中不存在，请先导入楼栋"),
]


@pytest.fixture
def with_buildings(load, buildings_file):
    result = load("buildings", buildings_file)
    assert result.ok, result.errors
    return result


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "persons": list(
            Person.objects.order_by("id").values_list(
                "id",
                "id_hash",
                "name",
                "phone_hash",
                "residence",
                "household_id",
                "house_id",
                "area_path",
                "updated_at",
            )
        ),
        "households": list(Household.objects.order_by("id").values_list("id", "number", "updated_at")),
        "houses": list(House.objects.order_by("id").values_list("id", "code", "updated_at")),
        "buildings": list(HubBuilding.objects.order_by("id").values_list("id", "code", "fingerprint", "updated_at")),
    }


def test_buildings_import_places_them_in_grids(with_buildings):
    assert with_buildings.batch.created == 3
    by_code = {b.code: b for b in HubBuilding.objects.all()}
    assert by_code["B-A-001"].grid.code == GRID_A  # resolved from the point
    assert by_code["B-B-001"].grid.code == GRID_B
    assert by_code["B-A-002"].use == "mixed" and by_code["B-A-002"].floors == 18
    assert by_code["B-A-001"].area_path.endswith(f"/{GRID_A}/")


def test_broken_file_gives_the_exact_error_list_and_stores_nothing(load, with_buildings):
    before = snapshot()
    content = xlsx(persons_rows(broken=True))
    result = load("persons", content, name="人口-有错.xlsx")

    assert not result.ok
    assert [(e.row, e.column, e.code, e.message) for e in result.errors] == EXPECTED_ERRORS
    assert Person.objects.count() == 0 and Household.objects.count() == 0 and House.objects.count() == 0
    assert snapshot() == before
    batch = ImportBatch.objects.get(kind="persons")
    assert batch.status == "failed" and batch.error_count == len(EXPECTED_ERRORS) and batch.created == 0
    assert batch.errors[0] == {"row": 3, "column": "身份证号", "code": "id_checksum", "message": EXPECTED_ERRORS[0][3]}
    # The error list never carries the values (ID numbers are personal data).
    text = repr(batch.errors)
    for row in persons_rows(broken=True)[1:]:
        assert str(row[1]) not in text or not row[1]

    # The error report is a real .xlsx with the same rows.
    report = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(result.errors))).active
    lines = [tuple(r) for r in report.iter_rows(values_only=True)]
    assert lines[0] == ("行号", "列", "错误代码", "说明")
    assert lines[1:] == EXPECTED_ERRORS


def test_fixed_file_imports_completely_and_twice_changes_nothing(load, with_buildings):
    content = xlsx(persons_rows(broken=False))
    first = load("persons", content, name="人口.xlsx")
    assert first.ok and first.errors == []
    assert (first.batch.created, first.batch.updated, first.batch.unchanged) == (7, 0, 0)
    assert Person.objects.count() == 7
    assert Household.objects.count() == 3
    assert House.objects.count() == 3  # B-A-001-1-101, B-B-001-1-201, B-A-002-2-1802

    zhang = Person.objects.get(name="张三")
    assert zhang.id_masked == make_id(1)[:6] + "********" + make_id(1)[-4:]
    assert make_id(1) not in zhang.id_cipher and zhang.id_number_clear() == make_id(1)
    assert zhang.phone_masked == "138****1234" and zhang.phone_clear() == "13800001234"
    assert zhang.gender == "M" and zhang.birth_year == 1985
    assert zhang.household.number == "H0001" and zhang.house.code == "B-A-001-1-101"
    assert zhang.grid.code == GRID_A and zhang.building.code == "B-A-001"
    assert Person.objects.get(name="李四").household_id == zhang.household_id
    assert Person.objects.get(name="孙八").grid.code == GRID_B
    assert Person.objects.get(name="周九").grid.code == GRID_B  # from the building

    before = snapshot()
    second = load("persons", content, name="人口.xlsx")
    assert (second.batch.created, second.batch.updated, second.batch.unchanged) == (0, 0, 7)
    assert snapshot() == before

    # A changed phone is an update of that one row; everything else stays as it was.
    rows = persons_rows(broken=False)
    rows[1][2] = "13800009999"
    third = load("persons", xlsx(rows))
    assert (third.batch.created, third.batch.updated, third.batch.unchanged) == (0, 1, 6)
    assert Person.objects.get(name="张三").phone_clear() == "13800009999"
    assert ImportBatch.objects.filter(kind="persons", status="done").count() == 3


def test_the_same_rows_as_gb18030_csv_import_alike(load, with_buildings):
    rows = persons_rows(broken=False)
    result = load("persons", csv_bytes(rows, "gb18030"), name="人口.csv")
    assert result.ok and result.batch.created == 7
    again = load("persons", csv_bytes(rows), name="人口-utf8.csv")
    assert again.batch.unchanged == 7 and again.batch.created == 0


def test_broken_csv_gives_the_same_errors(load, with_buildings):
    result = load("persons", csv_bytes(persons_rows(broken=True)), name="broken.csv")
    assert [(e.row, e.column, e.code) for e in result.errors] == [e[:3] for e in EXPECTED_ERRORS]
    assert Person.objects.count() == 0


def test_dry_run_counts_and_writes_nothing(load, with_buildings):
    result = load("persons", xlsx(persons_rows(broken=False)), dry_run=True)
    assert result.ok and result.batch.status == "dry_run" and result.batch.created == 7
    assert Person.objects.count() == 0


def test_valid_rows_only_writes_the_good_rows(load, with_buildings):
    result = load("persons", xlsx(persons_rows(broken=True)), valid_rows_only=True)
    assert result.batch.status == "done" and len(result.errors) == len(EXPECTED_ERRORS)
    # rows 2 (张三) only is clean among the broken rows' file: 3..8 each carry an error
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]


def test_missing_required_column_and_unreadable_files(load, with_buildings):
    result = load("persons", xlsx([["姓名", "手机号"], ["张三", "13800001234"]]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(1, "身份证号", "missing_column")]
    with pytest.raises(ValidationFailed) as caught:
        load("persons", b"not a workbook", name="x.xlsx")
    assert caught.value.code == "file_unreadable"
    with pytest.raises(ValidationFailed):
        load("persons", b"a,b", name="x.txt")


def test_column_mapping_takes_other_headers(load, with_buildings):
    rows = [["名字", "证件号码", "所在网格"], ["吴十", make_id(9), GRID_A]]
    result = load("persons", xlsx(rows), mapping={"名字": "name", "证件号码": "id_number", "所在网格": "grid_code"})
    assert result.ok and Person.objects.get().name == "吴十"


def test_outside_the_district_and_outside_ones_scope(load, with_buildings, hub):
    rows = [["楼栋编码", "名称", "经度", "纬度"], ["B-OUT", "区外楼", 106.60, 39.40], ["B-NOLAT", "缺纬度", 106.8, ""]]
    result = load("buildings", xlsx(rows))
    assert [(e.row, e.code) for e in result.errors] == [(2, "outside_district"), (3, "coordinate_incomplete")]
    # A community head imports only into their own community.
    mine = [["楼栋编码", "名称", "网格编码"], ["B-A-009", "和平小区9号楼", GRID_A], ["B-B-009", "清泉9号楼", GRID_B]]
    result = load("buildings", xlsx(mine), actor=hub.community_head)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "网格编码", "outside_scope")]
    with pytest.raises(PermissionDenied):
        load("buildings", xlsx(mine), actor=hub.grid_worker_a)


def test_enterprises_key_persons_and_party_orgs(load, with_buildings):
    load("persons", xlsx(persons_rows(broken=False)))
    good = "91150302MA0N" + "12345"
    code = good + credit_code_check(good)
    bad = good + ("0" if credit_code_check(good) != "0" else "1")
    ent_rows = [
        ["统一社会信用代码", "企业名称", "法定代表人", "联系电话", "行业", "从业人数", "楼栋编码"],
        [code, "乌海市和平商贸有限公司", "刘一", "13600001111", "批发零售", 12, "B-A-002"],
        [bad, "校验错误公司", "", "", "", "", "B-A-002"],
    ]
    result = load("enterprises", xlsx(ent_rows))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "统一社会信用代码", "credit_code_checksum")]
    result = load("enterprises", xlsx(ent_rows[:2]))
    assert result.ok and Enterprise.objects.get().grid.code == GRID_A

    key_rows = [
        ["身份证号", "类别", "关注等级", "列管日期"],
        [make_id(1), "刑满释放人员", "重点关注", "2025-03-01"],
        [make_id(1), "独居老人", "", "2025/4/1"],
        [make_id(77), "吸毒人员", "", ""],
        [make_id(3), "不存在的类别", "", "2025-13-01"],
    ]
    result = load("key_persons", xlsx(key_rows))
    assert [(e.row, e.code) for e in result.errors] == [
        (4, "person_unknown"),
        (5, "choice_invalid"),
        (5, "date_invalid"),
    ]
    result = load("key_persons", xlsx(key_rows[:3]))
    assert result.ok and KeyPerson.objects.count() == 2
    assert load("key_persons", xlsx(key_rows[:3])).batch.unchanged == 2

    party_rows = [
        ["组织编码", "组织名称", "组织类型", "上级组织编码", "书记", "党员数", "网格编码"],
        ["P-002", "和平社区第一党支部", "党支部", "P-001", "陈书记", 23, GRID_A],
        ["P-001", "和平社区党委", "党委", "", "何书记", 120, GRID_A],
        ["P-003", "孤儿支部", "党支部", "P-999", "", 3, GRID_A],
    ]
    result = load("party_orgs", xlsx(party_rows))
    assert [(e.row, e.code) for e in result.errors] == [(4, "parent_unknown")]
    result = load("party_orgs", xlsx(party_rows[:3]))
    assert result.ok and PartyOrganisation.objects.get(code="P-002").parent.code == "P-001"
    assert load("party_orgs", xlsx(party_rows[:3])).batch.unchanged == 2


def test_template_has_the_headers():
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx("persons"))).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("姓名", "身份证号", "手机号")
