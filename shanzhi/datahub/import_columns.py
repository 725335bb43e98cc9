"""The columns of each import kind, and reading a file (XLSX or CSV) into rows (see :mod:`shanzhi.datahub.imports`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from shanzhi.core.errors import ValidationFailed
from shanzhi.datahub import rules
from shanzhi.datahub.models import (
    BuildingUse,
    ImportKind,
    KeyCategory,
    KeyPerson,
    PartyOrganisation,
    Relation,
    Residence,
)
from shanzhi.datahub.rules import RowError

# --- columns ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # the first is the template's header; the others are accepted spellings
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file


def _req(n: int) -> Callable[[Any], str]:
    return lambda v: rules.required_text(v, max_length=n)


def _opt(n: int) -> Callable[[Any], str]:
    return lambda v: rules.optional_text(v, max_length=n)


def _lon(v: Any) -> float | None:
    return rules.coordinate(v, low=73.0, high=135.5)


def _lat(v: Any) -> float | None:
    return rules.coordinate(v, low=3.0, high=54.0)


_PLACE = (
    Column("grid_code", ("网格编码", "所属网格编码", "网格"), lambda v: rules.unit_code(v, required=False)),
    Column("longitude", ("经度", "lng", "lon"), _lon),
    Column("latitude", ("纬度", "lat"), _lat),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.BUILDINGS: (
        Column("code", ("楼栋编码", "建筑物编码"), _req(32), required=True),
        Column("name", ("名称", "楼栋名称"), _req(100), required=True),
        Column("address_text", ("地址",), _opt(200)),
        Column("address_code", ("标准地址编码",), _opt(32)),
        Column("use", ("用途",), rules.choice_parser(BuildingUse.choices, default=BuildingUse.RESIDENTIAL)),
        Column("floors", ("层数",), lambda v: rules.integer(v, minimum=1, maximum=200, default=1)),
        Column("entrances", ("单元数",), lambda v: rules.integer(v, minimum=1, maximum=50, default=1)),
        Column("built_year", ("建成年份",), lambda v: rules.integer(v, minimum=1900, maximum=2100)),
        *_PLACE,
    ),
    ImportKind.PERSONS: (
        Column("name", ("姓名",), _req(50), required=True),
        Column("id_number", ("身份证号", "公民身份号码", "身份证号码"), rules.id_number, required=True),
        Column("phone", ("手机号", "联系电话", "电话"), rules.phone),
        Column("residence", ("人口类型",), rules.choice_parser(Residence.choices, default=Residence.REGISTERED)),
        Column("household_no", ("户号",), _opt(32)),
        Column("relation", ("与户主关系",), rules.choice_parser(Relation.choices, default="")),
        Column("building_code", ("楼栋编码",), _opt(32)),
        Column("entrance_no", ("单元", "单元号"), lambda v: rules.integer(v, minimum=1, maximum=50)),
        Column("room_no", ("室号", "房号"), _opt(10)),
        _PLACE[0],
    ),
    ImportKind.ENTERPRISES: (
        Column("credit_code", ("统一社会信用代码", "信用代码"), rules.credit_code, required=True),
        Column("name", ("企业名称", "名称"), _req(120), required=True),
        Column("legal_rep", ("法定代表人",), _opt(50)),
        Column("phone", ("联系电话", "电话"), rules.phone),
        Column("industry", ("行业",), _opt(60)),
        Column("employees", ("从业人数",), lambda v: rules.integer(v, minimum=0, maximum=1_000_000, default=0)),
        Column("address_text", ("地址",), _opt(200)),
        Column("building_code", ("楼栋编码",), _opt(32)),
        *_PLACE,
    ),
    ImportKind.KEY_PERSONS: (
        Column("id_number", ("身份证号", "公民身份号码"), rules.id_number, required=True),
        Column("category", ("类别", "人员类别"), rules.choice_parser(KeyCategory.choices), required=True),
        Column(
            "level",
            ("关注等级",),
            lambda v: int(rules.choice(v, [(str(c), lbl) for c, lbl in KeyPerson.Level.choices], default="1")),
        ),
        Column("since", ("列管日期",), rules.date),
        Column("note", ("备注",), _opt(200)),
    ),
    ImportKind.PARTY_MEMBERS: (
        Column("id_number", ("身份证号", "公民身份号码"), rules.id_number, required=True),
        Column("org_code", ("组织编码", "所在党组织编码"), _req(32), required=True),
        Column("joined_on", ("入党日期",), rules.date),
    ),
    ImportKind.PARTY_ORGS: (
        Column("code", ("组织编码",), _req(32), required=True),
        Column("name", ("组织名称", "名称"), _req(120), required=True),
        Column("kind", ("组织类型", "类型"), rules.choice_parser(PartyOrganisation.Kind.choices, default="branch")),
        Column("parent_code", ("上级组织编码",), _opt(32)),
        Column("secretary", ("书记",), _opt(50)),
        Column("members_count", ("党员数",), lambda v: rules.integer(v, minimum=0, maximum=100_000, default=0)),
        Column("address_text", ("地址",), _opt(200)),
        *_PLACE,
    ),
}


def template_headers(kind: str) -> list[str]:
    return [c.headers[0] for c in COLUMNS[kind]]


# --- reading the file ---------------------------------------------------------------------------------------------


def read_table(file_name: str, content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the data rows (with their spreadsheet row numbers) of an .xlsx or .csv file."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ValidationFailed(
                _("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏"), code="file_unreadable"
            ) from None
        sheet = book.worksheets[0]
        raw = list(sheet.iter_rows(values_only=True))
        book.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(_("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）"), code="file_encoding")
        raw = [tuple(r) for r in csv.reader(io.StringIO(decoded))]
    else:
        raise ValidationFailed(_("只支持 .xlsx 和 .csv 文件"), code="file_type")
    if not raw:
        raise ValidationFailed(_("文件是空的"), code="file_empty")
    headers = [rules.text(h) for h in raw[0]]
    rows = [
        (number, list(values)) for number, values in enumerate(raw[1:], start=2) if any(rules.text(v) for v in values)
    ]
    return headers, rows


def map_columns(
    kind: str, headers: Sequence[str], mapping: dict[str, str] | None
) -> tuple[dict[str, int], list[RowError]]:
    """Column key → index in the row. ``mapping`` (file header → key) overrides the accepted spellings."""
    spec = COLUMNS[kind]
    positions: dict[str, int] = {}
    known = {c.key for c in spec}
    for index, header in enumerate(headers):
        key = (mapping or {}).get(header)
        if key is None:
            key = next((c.key for c in spec if header in c.headers), None)
        if key in known and key not in positions:
            positions[key] = index
    errors = [
        RowError(1, c.headers[0], "missing_column", f"缺少必需的列「{c.headers[0]}」")
        for c in spec
        if c.required and c.key not in positions
    ]
    return positions, errors
