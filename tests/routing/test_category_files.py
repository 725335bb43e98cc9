"""The category tree round-trips through CSV and XLSX; a bad row changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from shanzhi.core.errors import ValidationFailed
from shanzhi.routing.category_files import category_tree_export_xlsx, category_tree_import_file
from shanzhi.routing.models import Category

pytestmark = pytest.mark.django_db

CSV = (
    "code,level1,level2,level3,default_urgency,keywords\n"
    ",城乡建设,市政设施,路灯损坏,ordinary,路灯 照明\n"
    ",城乡建设,物业管理,,,\n"
)


def test_csv_import_builds_three_levels():
    assert category_tree_import_file(name="tree.csv", data=("\ufeff" + CSV).encode()) == 2
    leaf = Category.objects.get(path="城乡建设/市政设施/路灯损坏")
    assert leaf.level == 3 and leaf.parent.path == "城乡建设/市政设施" and leaf.keywords == "路灯 照明"
    assert Category.objects.count() == 4


def test_xlsx_export_opens_and_imports_again(tmp_path):
    category_tree_import_file(name="tree.csv", data=CSV.encode())
    data = category_tree_export_xlsx()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["编码", "一级分类", "二级分类", "三级分类", "默认紧急程度", "关键词"]
    assert any(row[3] == "路灯损坏" for row in sheet.iter_rows(values_only=True))
    for category in Category.objects.order_by("-level"):
        category.delete()
    assert category_tree_import_file(name="back.xlsx", data=data) == 4
    assert Category.objects.filter(path="城乡建设/市政设施/路灯损坏").exists()


def test_a_bad_row_changes_nothing():
    book = Workbook()
    sheet = book.active
    sheet.append(["一级分类", "二级分类", "默认紧急程度"])
    sheet.append(["教育文体", "学校管理", "ordinary"])
    sheet.append(["教育文体", "校外培训", "whenever"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationFailed) as err:
        category_tree_import_file(name="tree.xlsx", data=out.getvalue())
    assert err.value.code == "category_row_urgency" and "第 3 行" in str(err.value.message)
    assert Category.objects.count() == 0


def test_other_files_are_refused():
    with pytest.raises(ValidationFailed) as err:
        category_tree_import_file(name="tree.xls", data=b"\xd0\xcf\x11\xe0")
    assert err.value.code == "category_file_type"
    with pytest.raises(ValidationFailed) as err:
        category_tree_import_file(name="tree.xlsx", data=b"not a zip")
    assert err.value.code == "category_file_invalid"


def test_command_exports_and_imports(tmp_path):
    category_tree_import_file(name="tree.csv", data=CSV.encode())
    call_command("categories", "export", str(tmp_path / "t.xlsx"), stdout=io.StringIO())
    call_command("categories", "export", str(tmp_path / "t.csv"), stdout=io.StringIO())
    assert "路灯损坏" in (tmp_path / "t.csv").read_text(encoding="utf-8")
    out = io.StringIO()
    call_command("categories", "import", str(tmp_path / "t.xlsx"), stdout=out)
    assert "已导入 4 行" in out.getvalue()
