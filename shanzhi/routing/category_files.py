"""The category tree as a file: CSV and XLSX, both with the columns of :data:`CSV_COLUMNS` (code, level1,
level2, level3, default_urgency, keywords). Every format reads into rows for
:func:`shanzhi.routing.services.category_tree_import` (the rules: missing parents, codes, all or nothing)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zipfile import BadZipFile

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from shanzhi.core.errors import ValidationFailed
from shanzhi.routing.models import Category
from shanzhi.routing.services import category_tree_import

CSV_COLUMNS = ("code", "level1", "level2", "level3", "default_urgency", "keywords")

HEADERS_ZH = {"code": "编码", "level1": "一级分类", "level2": "二级分类", "level3": "三级分类",
              "default_urgency": "默认紧急程度", "keywords": "关键词"}  # fmt: skip


def _rows_from_xlsx(data: bytes) -> list[dict[str, str]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(_("无法读取该 Excel 文件，请使用 .xlsx 格式"), code="category_file_invalid") from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    # The header may be the column codes or their Chinese names.
    by_name = {**{c: c for c in CSV_COLUMNS}, **{zh: c for c, zh in HEADERS_ZH.items()}}
    header = [by_name.get(str(cell).strip(), "") if cell is not None else "" for cell in rows[0]]
    if not {"level1"} <= set(header):
        raise ValidationFailed(_("表头须包含“一级分类”(level1) 列"), code="category_file_header")
    return [
        {key: ("" if value is None else str(value).strip()) for key, value in zip(header, row, strict=False) if key}
        for row in rows[1:]
        if any(value not in (None, "") for value in row)
    ]


def category_tree_import_file(*, name: str, data: bytes) -> int:
    """Import a CSV (UTF-8, with or without BOM) or XLSX file; all or nothing."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return category_tree_import(rows=_rows_from_xlsx(data))
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(_("CSV 文件须为 UTF-8 编码"), code="category_file_encoding") from exc
        return category_tree_import_csv(text=text)
    raise ValidationFailed(_("只支持 .csv 或 .xlsx 文件"), code="category_file_type")


def category_tree_import_csv(*, text: str) -> int:
    """Import CSV text (a leading BOM is ignored); all or nothing."""
    return category_tree_import(rows=csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def category_tree_export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for cat in Category.objects.order_by("path"):
        names = [*cat.path.split("/"), "", ""]
        writer.writerow([cat.code, names[0], names[1], names[2], cat.default_urgency, cat.keywords])
    return out.getvalue()


def category_tree_export_xlsx() -> bytes:
    """The tree as a workbook with Chinese headers (importable again as it is)."""
    rows = list(csv.reader(io.StringIO(category_tree_export_csv())))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "诉求分类"
    sheet.append([HEADERS_ZH[c] for c in rows[0]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows[1:]:
        sheet.append(row)
    for column, width in zip("ABCDEF", (12, 16, 20, 24, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
