"""The shipped category tree, dispatch catalogue and text bank hold together."""

from __future__ import annotations

import csv
import io

import pytest

from shanzhi.core.errors import ValidationFailed
from shanzhi.demo import texts
from shanzhi.demo.catalogue import CATALOGUE_CSV, CATEGORIES_CSV, TERRITORIAL, catalogue_load, categories_load
from shanzhi.demo.staff import REJECT_REASONS
from shanzhi.orgs import loaders
from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category, DispatchRule, Urgency
from shanzhi.routing.services import dispatch_plan

REQUIRED_LEVEL1 = {
    "城乡建设", "农村农业", "政法", "教育文体", "劳动和社会保障", "民政", "党务政务", "经济管理", "卫生计生",
    "商贸旅游", "环境保护", "交通运输", "纪检监察", "国土资源", "科技与信息产业",
}  # fmt: skip


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_category_csv_has_the_15_classes_and_three_levels():
    rows = _rows(CATEGORIES_CSV)
    assert list(rows[0]) == ["code", "level1", "level2", "level3", "default_urgency", "keywords"]
    level1 = {r["level1"] for r in rows}
    assert level1 >= REQUIRED_LEVEL1
    leaves = [r for r in rows if r["level3"]]
    assert 200 <= len(leaves) <= 300
    assert all(r["level1"] and r["level2"] for r in leaves)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    by_path = {"/".join(x for x in (r["level1"], r["level2"], r["level3"]) if x): r["code"] for r in rows}
    for path, code in by_path.items():
        depth = path.count("/") + 1
        assert len(code) == 2 * depth
        if depth > 1:
            assert code.startswith(by_path[path.rsplit("/", 1)[0]])
    assert {r["default_urgency"] for r in rows} <= set(Urgency.values)
    assert all(r["keywords"] for r in leaves)
    # Every level-1 class has level-2 classes, each of which has leaves.
    for name in level1:
        assert any(r["level1"] == name and r["level3"] for r in rows)


@pytest.mark.django_db
def test_category_csv_imports_into_the_tree_idempotently():
    applied = categories_load()
    leaves = Category.objects.filter(level=3).count()
    assert applied == len(_rows(CATEGORIES_CSV))
    assert Category.objects.filter(level=1).count() == len({r["level1"] for r in _rows(CATEGORIES_CSV)})
    categories_load()
    assert Category.objects.filter(level=3).count() == leaves
    heating = Category.objects.get(path="供水供电供气供热/供热/暖气不热")
    assert heating.code == "040101" and heating.default_urgency == Urgency.URGENT
    assert Category.objects.get(code="04").name == "供水供电供气供热"


@pytest.mark.django_db
def test_every_catalogue_row_resolves_and_every_class_is_routed():
    loaders.hierarchy_load()
    categories_load()
    result = catalogue_load()
    rows = _rows(CATALOGUE_CSV)
    assert result == {"created": len(rows), "unchanged": 0}
    paths = set(Category.objects.values_list("path", flat=True))
    codes = set(Unit.objects.values_list("code", flat=True))
    for row in rows:
        assert row["category"] in paths
        for code in [row["lead"], row["area"], *row["assisting"].split()]:
            assert code in ("", TERRITORIAL) or code in codes, (row, code)
    ruled = set(DispatchRule.objects.values_list("category__path", flat=True))
    assert set(Category.objects.filter(level=1).values_list("path", flat=True)) <= ruled
    # Loading again adds nothing and keeps the centre's edits.
    rule = DispatchRule.objects.get(category__path="城乡建设", area=None)
    rule.note = "中心修改过"
    rule.save()
    assert catalogue_load() == {"created": 0, "unchanged": len(rows)}
    rule.refresh_from_db()
    assert rule.note == "中心修改过"


@pytest.mark.django_db
def test_catalogue_routes_a_leaf_to_its_department_and_property_work_to_the_community():
    loaders.hierarchy_load()
    categories_load()
    catalogue_load()
    district = Unit.objects.get(code="150302000000")
    heating = dispatch_plan(category=Category.objects.get(path="供水供电供气供热/供热/暖气不热"), area=district)
    assert heating.lead_unit is not None and heating.lead_unit.code == "U-GR"
    community = Unit.objects.get(code="150302001002")
    lift = Category.objects.get(path="物业管理/物业服务/物业服务质量差")
    assert dispatch_plan(category=lift, area=community).lead_unit == community
    town = Unit.objects.get(code="150302101000")
    litter = Category.objects.get(path="城市管理/市容环境/垃圾清运不及时")
    assert dispatch_plan(category=litter, area=town).lead_unit == town
    urban = dispatch_plan(category=litter, area=community).lead_unit
    assert urban is not None and urban.code == "D-CG"


@pytest.mark.django_db
def test_a_catalogue_row_with_an_unknown_unit_is_refused():
    loaders.hierarchy_load()
    categories_load()
    with pytest.raises(ValidationFailed) as error:
        catalogue_load(csv_text="category,area,lead,territorial_level,assisting,priority,note\n政法,,D-NOPE,,,0,\n")
    assert error.value.code == "catalogue_unknown_unit"
    assert not DispatchRule.objects.exists()


def test_text_bank_categories_are_leaves_of_the_tree():
    leaves = {f"{r['level1']}/{r['level2']}/{r['level3']}" for r in _rows(CATEGORIES_CSV) if r["level3"]}
    for template in texts.TEMPLATES:
        assert template.category in leaves, template.category
        assert template.fix and template.content
    for category, *_rest in texts.CONSULTATIONS:
        assert category in leaves
    reasons = {code for code, _text in REJECT_REASONS}
    assert {code for code, *_rest in texts.REJECTIONS} <= reasons


def test_made_up_identity_numbers_and_phones_are_valid():
    import random

    from shanzhi.core import pii

    rng = random.Random(3)
    for _ in range(50):
        assert pii.id_number_is_valid(texts.id_number(rng))
        assert pii.phone_is_valid(pii.normalize_phone(texts.mobile_number(rng)))
        assert pii.phone_is_valid(pii.normalize_phone(texts.landline_number(rng)))
