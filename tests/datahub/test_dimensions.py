"""The dimension registry (issue 14 item 2): dimensions each department supplies, values checked against them,
counted and filtered in the reader's scope; restricted dimensions only with their permission; stale values out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.datahub import dimensions
from shanzhi.datahub.dimension_rules import (
    DimensionRuleError,
    choices_check,
    code_check,
    dimension_value_parse,
    value_is_current,
)
from shanzhi.datahub.models import Dimension, DimensionValue, Person

from .conftest import csv_bytes, make_id, xlsx
from .test_import import persons_rows
from .test_scope import grant

pytestmark = pytest.mark.django_db

GRID_A_IDS = [make_id(n) for n in (1, 2, 4, 5)]
GRID_B_IDS = [make_id(n) for n in (3, 6, 7)]


# --- rules --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_type", "raw", "key", "number", "text"),
    [
        ("boolean", "是", "1", None, "是"),
        ("boolean", "否", "0", None, "否"),
        ("boolean", True, "1", None, "是"),
        ("integer", "3", "3", Decimal(3), "3"),
        ("integer", 3.0, "3", Decimal(3), "3"),
        ("decimal", "1,250.50", "1250.5", Decimal("1250.5000"), "1250.5"),
        ("date", "2026年3月5日", "2026-03-05", None, "2026-03-05"),
        ("date", dt.date(2026, 3, 5), "2026-03-05", None, "2026-03-05"),
        ("choice", "二级", "2", None, "二级"),
        ("choice", "2", "2", None, "二级"),
        ("text", "  肢体残疾 ", "肢体残疾", None, "肢体残疾"),
    ],
)
def test_a_value_fits_its_dimension(value_type, raw, key, number, text):
    choices = [{"key": "1", "name": "一级"}, {"key": "2", "name": "二级"}]
    parsed = dimension_value_parse(value_type, choices if value_type == "choice" else [], raw)
    assert (parsed.key, parsed.number, parsed.text) == (key, number, text)


@pytest.mark.parametrize(
    ("value_type", "raw", "code"),
    [
        ("boolean", "也许", "dimension_not_boolean"),
        ("integer", "3.5", "dimension_not_integer"),
        ("integer", "三", "dimension_not_number"),
        ("decimal", "1e30", "dimension_out_of_range"),
        ("decimal", "NaN", "dimension_out_of_range"),
        ("date", "2026-02-30", "dimension_date_invalid"),
        ("date", "去年", "dimension_date_format"),
        ("choice", "三级", "dimension_choice_invalid"),
        ("text", "字" * 501, "dimension_text_too_long"),
        ("text", "   ", "dimension_value_required"),
        ("integer", None, "dimension_value_required"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_with_its_code(value_type, raw, code):
    choices = [{"key": "1", "name": "一级"}, {"key": "2", "name": "二级"}]
    with pytest.raises(DimensionRuleError) as refused:
        dimension_value_parse(value_type, choices if value_type == "choice" else [], raw)
    assert refused.value.code == code


def test_the_definition_rules():
    assert code_check(" dibao ") == "dibao"
    for bad in ("Dibao", "1abc", "a", "低保", "a-b"):
        with pytest.raises(DimensionRuleError):
            code_check(bad)
    with pytest.raises(DimensionRuleError) as one:
        choices_check("choice", [{"key": "1", "name": "一级"}])
    assert one.value.code == "choices_required"
    with pytest.raises(DimensionRuleError) as twice:
        choices_check("choice", [{"key": "1", "name": "一级"}, {"key": "1", "name": "二级"}])
    assert twice.value.code == "choice_duplicate"
    with pytest.raises(DimensionRuleError) as not_choice:
        choices_check("integer", [{"key": "1", "name": "一级"}])
    assert not_choice.value.code == "choices_not_allowed"
    now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    assert value_is_current(now - dt.timedelta(days=29), 30, now)
    assert not value_is_current(now - dt.timedelta(days=30), 30, now)
    assert value_is_current(now - dt.timedelta(days=3000), None, now)


# --- the registry -----------------------------------------------------------------------------------------------


@pytest.fixture
def persons(load, buildings_file, hub):
    assert load("buildings", buildings_file).ok
    assert load("persons", xlsx(persons_rows(broken=False))).ok
    return hub


def register(hub, **kw) -> Dimension:  # type: ignore[no-untyped-def]
    actor = kw.pop("actor", hub.importer)
    fields = {
        "code": "dibao",
        "name": "低保对象",
        "department": hub.desk.district.dept_urban,
        "element_kind": "person",
        "value_type": "boolean",
    }
    fields.update(kw)
    return dimensions.dimension_register(actor=actor, **fields)


def test_the_centres_data_staff_register_others_may_not(persons):
    hub = persons
    dimension = register(hub, measure_unit="", valid_days=365)
    assert dimension.department == hub.desk.district.dept_urban and dimension.valid_days == 365
    with pytest.raises(PermissionDenied) as refused:
        register(hub, code="other", actor=hub.grid_worker_a)
    assert refused.value.code == "dimension_forbidden"
    with pytest.raises(ValidationFailed) as taken:
        register(hub)
    assert taken.value.code == "dimension_code_taken"
    with pytest.raises(ValidationFailed) as bad:
        register(hub, code="disability", value_type="choice", choices=[{"key": "1", "name": "一级"}])
    assert (bad.value.code, bad.value.details["field"]) == ("choices_required", "choices")
    assert Dimension.objects.count() == 1


def values_file(rows: list[list[object]]) -> bytes:
    return xlsx([["身份证号", "值"], *rows])


def test_a_broken_file_stores_nothing_the_fixed_one_everything_and_twice_changes_nothing(persons):
    hub = persons
    dimension = register(hub)
    broken = values_file(
        [
            [GRID_A_IDS[0], "是"],
            [GRID_A_IDS[1], "也许"],  # row 3: not a yes/no
            [make_id(99), "是"],  # row 4: nobody has this ID number
            [GRID_A_IDS[0], "否"],  # row 5: the same person again
            ["", "是"],  # row 6: no key
        ]
    )
    result = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="低保.xlsx", content=broken
    )
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "值", "dimension_not_boolean"),
        (4, "身份证号", "element_unknown"),
        (5, "身份证号", "duplicate_in_file"),
        (6, "身份证号", "required"),
    ]
    assert not result.written and DimensionValue.objects.count() == 0

    fixed = values_file([[i, "是"] for i in GRID_A_IDS] + [[i, "否"] for i in GRID_B_IDS])
    first = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="低保.xlsx", content=fixed
    )
    assert (first.written, first.created, first.updated, first.unchanged) == (True, 7, 0, 0)
    stamps = dict(DimensionValue.objects.values_list("element_id", "recorded_at"))
    again = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="低保.xlsx", content=fixed
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert dict(DimensionValue.objects.values_list("element_id", "recorded_at")) == stamps

    one_changed = csv_bytes([["身份证号", "低保对象"], [GRID_B_IDS[0], "是"]])
    changed = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="更新.csv", content=one_changed
    )
    assert (changed.created, changed.updated) == (0, 1)
    wang = Person.objects.get(id_hash__isnull=False, name="王五")
    assert DimensionValue.objects.get(element_id=wang.pk).value_key == "1"


def test_the_valid_rows_only_when_asked_and_a_dry_run_writes_nothing(persons):
    hub = persons
    dimension = register(hub, code="children", name="子女数", value_type="integer", measure_unit="人")
    content = values_file([[GRID_A_IDS[0], 2], [GRID_A_IDS[1], "两个"]])
    dry = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content, dry_run=True, valid_rows_only=True
    )
    assert dry.created == 1 and not dry.written and DimensionValue.objects.count() == 0
    done = dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content, valid_rows_only=True
    )
    assert done.written and done.created == 1 and [e.code for e in done.errors] == ["dimension_not_number"]


def test_a_community_imports_only_its_own_people(persons):
    hub = persons
    dimension = register(hub)
    content = values_file([[GRID_A_IDS[0], "是"], [GRID_B_IDS[0], "是"]])
    result = dimensions.dimension_values_import(
        actor=hub.community_head, dimension=dimension, file_name="x.xlsx", content=content
    )
    assert [(e.row, e.code) for e in result.errors] == [(3, "outside_scope")]
    assert DimensionValue.objects.count() == 0


@pytest.fixture
def dibao(persons):
    hub = persons
    dimension = register(hub)
    content = values_file(
        [[i, "是"] for i in GRID_A_IDS[:3]] + [[GRID_A_IDS[3], "否"]] + [[i, "是"] for i in GRID_B_IDS]
    )
    assert dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content
    ).written
    return dimension


def counted(user, dimension) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {b.key: b.count for b in dimensions.dimension_counts(user, dimension).buckets}


def test_counts_and_filters_in_the_readers_scope(dibao, persons):
    hub = persons
    assert counted(hub.importer, dibao) == {"1": 6, "0": 1}  # the centre: the whole district
    assert counted(hub.grid_worker_a, dibao) == {"1": 3, "0": 1}
    assert counted(hub.grid_worker_b, dibao) == {"1": 3}
    assert counted(hub.department, dibao) == {} and dimensions.dimensions_for(hub.department) == []
    mine = dimensions.persons_with(hub.grid_worker_a, Person.objects.all(), "dibao", "1")
    assert set(mine.values_list("name", flat=True)) == {"张三", "李四", "赵六"}
    assert not dimensions.persons_with(hub.grid_worker_a, Person.objects.all(), "no_such", "1").exists()


def test_numbers_are_summed_and_averaged(persons):
    hub = persons
    dimension = register(hub, code="income", name="月收入", value_type="decimal", measure_unit="元")
    content = values_file([[GRID_A_IDS[0], "1200"], [GRID_A_IDS[1], "1800.5"], [GRID_B_IDS[0], "999"]])
    assert dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content
    ).written
    mine = dimensions.dimension_counts(hub.grid_worker_a, dimension)
    assert (mine.total, mine.sum, mine.mean) == (2, Decimal("3000.5"), Decimal("1500.25"))


def test_a_restricted_dimension_exists_only_with_its_permission(persons, login):
    hub = persons
    dimension = register(hub, code="drug", name="社区戒毒", sensitivity="restricted")
    content = values_file([[GRID_A_IDS[0], "是"]])
    # Without the permission not even the centre's analyst may import into it.
    with pytest.raises(PermissionDenied):
        dimensions.dimension_values_import(actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content)
    assert DimensionValue.objects.count() == 0
    grant(hub.importer, "view_restricted_dimension")
    assert dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=content
    ).written
    zhang = Person.objects.get(name="张三")
    worker = hub.grid_worker_a
    assert dimensions.dimensions_for(worker) == [] and counted(worker, dimension) == {}
    assert dimensions.values_of(worker, "person", zhang) == []
    with pytest.raises(NotFound):
        dimensions.dimension_get(worker, "drug")
    client = login(worker)
    assert client.get("/console/datahub/dimensions/drug/").status_code == 404
    assert client.get("/api/v1/datahub/dimensions/drug/counts").status_code == 404
    assert "社区戒毒" not in client.get(f"/console/datahub/persons/{zhang.pk}/").content.decode()
    # Positive control: with the permission the same reader sees it.
    grant(worker, "view_restricted_dimension")
    assert [v.text for v in dimensions.values_of(worker, "person", zhang)] == ["是"]
    assert client.get("/api/v1/datahub/dimensions/drug/counts").json()["buckets"] == [
        {"key": "1", "label": "是", "count": 1}
    ]


def test_stale_values_are_left_out_of_counts_and_marked_on_the_card(persons, login):
    hub = persons
    dimension = register(hub, code="checkup", name="年度体检", valid_days=30)
    old = clock.now() - dt.timedelta(days=40)
    with mock.patch("shanzhi.core.clock.now", return_value=old):
        assert dimensions.dimension_values_import(
            actor=hub.importer, dimension=dimension, file_name="x.xlsx", content=values_file([[GRID_A_IDS[0], "是"]])
        ).written
    assert dimensions.dimension_values_import(
        actor=hub.importer, dimension=dimension, file_name="y.xlsx", content=values_file([[GRID_A_IDS[1], "是"]])
    ).written
    assert counted(hub.importer, dimension) == {"1": 1}
    zhang = Person.objects.get(name="张三")
    [shown] = dimensions.values_of(hub.grid_worker_a, "person", zhang)
    assert not shown.is_current
    page = login(hub.grid_worker_a).get(f"/console/datahub/persons/{zhang.pk}/").content.decode()
    assert "年度体检" in page and "已过期" in page


def test_console_pages_register_import_count_and_filter(persons, login):
    hub = persons
    analyst = login(hub.importer)
    assert analyst.get("/console/datahub/dimensions/").status_code == 200
    bad = analyst.post(
        "/console/datahub/dimensions/",
        {"code": "Bad Code", "name": "残疾等级", "department": hub.desk.district.dept_urban.pk,
         "element_kind": "person", "value_type": "choice", "choices": "1=一级\n2=二级", "sensitivity": "internal"},
    )  # fmt: skip
    assert bad.status_code == 422 and "dimension_code_invalid" in bad.content.decode()
    created = analyst.post(
        "/console/datahub/dimensions/",
        {"code": "disability", "name": "残疾等级", "department": hub.desk.district.dept_urban.pk,
         "element_kind": "person", "value_type": "choice", "choices": "1=一级\n2=二级", "sensitivity": "internal"},
    )  # fmt: skip
    assert created.status_code == 302 and created["Location"].endswith("/dimensions/disability/")
    assert Dimension.objects.get(code="disability").choices == [
        {"key": "1", "name": "一级"},
        {"key": "2", "name": "二级"},
    ]

    upload = values_file([[GRID_A_IDS[0], "二级"], [GRID_B_IDS[0], "一级"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    done = analyst.post("/console/datahub/dimensions/disability/", {"file": SimpleUploadedFile("残疾.xlsx", upload)})
    assert done.status_code == 200 and "新增 2" in done.content.decode()

    worker = login(hub.grid_worker_a)
    page = worker.get("/console/datahub/dimensions/disability/").content.decode()
    assert "有效取值 1 个" in page and "二级" in page and "一级" not in page.split("本辖区分布")[1].split("</table>")[0]
    listing = worker.get("/console/datahub/persons/", {"dim": "disability", "value": "2"}).content.decode()
    assert "张*" in listing and "李*" not in listing and "按维度筛选" in listing
    # The grid worker may not register or import.
    assert worker.post("/console/datahub/dimensions/", {"code": "x1", "name": "x"}).status_code == 422
    assert Dimension.objects.count() == 1
    assert worker.get("/api/v1/datahub/dimensions").json()[0]["code"] == "disability"
    # A department without territorial scope: no hub at all.
    assert login(hub.department).get("/console/datahub/dimensions/").status_code == 403
    assert login(hub.department).get("/api/v1/datahub/dimensions").json() == []
