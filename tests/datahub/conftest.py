"""The data hub on the test desk: the district with its two grids on the map, a community head, a grid worker of
each grid, a department handler, and helpers that write real .xlsx and .csv files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from desk import Desk, boundaries_create

from shanzhi.orgs.models import User

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(seq: int, *, birth: str = "19850307", area: str = "150302") -> str:
    """A valid GB 11643 ID number (area, birth date, a 3-digit sequence, the check character)."""
    body = f"{area}{birth}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


@dataclass
class Hub:
    desk: Desk
    importer: User  # 分析员 of the centre: the whole district
    community_head: User  # 和平社区 单位负责人
    grid_worker_a: User
    grid_worker_b: User
    department: User  # 住建局 承办人: no territorial scope
    revealer: User  # 中心领导 with the personal-data permission


@pytest.fixture
def hub(desk, make_user) -> Hub:
    boundaries_create(desk.district)
    d = desk.district
    return Hub(
        desk=desk,
        importer=desk.analyst,
        community_head=make_user(d.community_a, "unit_head", username="com-a"),
        grid_worker_a=desk.grid_worker_a,
        grid_worker_b=make_user(d.grid_b, "grid_worker", username="grid-b"),
        department=desk.housing_handler,
        revealer=make_user(d.centre, "leader", username="boss-pd", personal_data=True),
    )


BUILDING_HEADER = ["楼栋编码", "名称", "地址", "用途", "层数", "单元数", "网格编码", "经度", "纬度"]
PERSON_HEADER = ["姓名", "身份证号", "手机号", "人口类型", "户号", "与户主关系", "楼栋编码", "单元", "室号", "网格编码"]


@pytest.fixture
def buildings_file() -> bytes:
    return xlsx(
        [
            BUILDING_HEADER,
            ["B-A-001", "和平小区1号楼", "和平路1号", "住宅", 6, 2, "", 106.79, 39.68],
            ["B-A-002", "和平小区2号楼", "和平路3号", "商住混合", 18, 3, "150302001002001", 106.80, 39.69],
            ["B-B-001", "清泉小区1号楼", "清泉街8号", "住宅", 5, 1, "", 106.85, 39.68],
        ]
    )


@pytest.fixture
def load(hub) -> Callable[..., Any]:
    """``load(kind, content, name="x.xlsx", **kw)`` → the import result, imported by the centre's analyst."""
    from shanzhi.datahub.imports import datahub_import

    def run(kind: str, content: bytes, name: str = "data.xlsx", **kw: Any) -> Any:
        return datahub_import(actor=kw.pop("actor", hub.importer), kind=kind, file_name=name, content=content, **kw)

    return run
