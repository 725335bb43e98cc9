"""The grid section of the monthly report: in the page and the XLSX, in the viewer's scope."""

from __future__ import annotations

import io

import pytest
from desk import POINT_IN_A
from django.utils import timezone
from openpyxl import load_workbook

from shanzhi.core.report_sections import ReportPeriod
from shanzhi.grid import services
from shanzhi.grid.report import grid_kpis_section
from shanzhi.orgs.permissions import report_unit_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(field, key, now):
    services.patrol_start(actor=field.worker_a, client_key=key(), made_at=now)
    services.grid_report_make(
        actor=field.worker_a,
        client_key=key(),
        made_at=now,
        content="路灯不亮",
        category=field.road_light.code,
        longitude=POINT_IN_A[0],
        latitude=POINT_IN_A[1],
    )
    return field


def month_of(now):
    local = timezone.localtime(now)
    return local.strftime("%Y-%m"), local.date().replace(day=1)


def test_the_section_counts_the_grids_work_in_scope(worked, now):
    _month, first = month_of(now)
    last = timezone.localtime(now).date()
    everything = grid_kpis_section(ReportPeriod(start=first, end=last, unit_ids=None))
    assert everything is not None and everything.title == "网格化管理"
    assert everything.rows == [["150302001002001", "和平社区第1网格", 1, 1, 0, 1, 0, 0, None]]
    assert "2 个网格中 1 个有巡查记录，巡查覆盖率 50.0%" in everything.summary[0]
    head = worked.community_head
    mine = grid_kpis_section(ReportPeriod(start=first, end=last, unit_ids=report_unit_ids(head), user=head))
    assert mine is not None and "1 个网格中 1 个" in mine.summary[0]
    other = worked.town_b_handler
    theirs = grid_kpis_section(ReportPeriod(start=first, end=last, unit_ids=report_unit_ids(other), user=other))
    assert theirs is not None and theirs.rows[0][5] == 0 and "覆盖率 0.0%" in theirs.summary[0]
    department = worked.urban_handler
    assert grid_kpis_section(ReportPeriod(start=first, end=last, unit_ids=report_unit_ids(department))) is None


def test_the_monthly_report_page_and_xlsx_carry_it(worked, login, now):
    month, _first = month_of(now)
    client = login(worked.leader)
    page = client.get(f"/console/reports/monthly/?month={month}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "网格化管理" in text and "巡查覆盖率 50.0%" in text
    export = client.get(f"/console/reports/monthly/export.xlsx?month={month}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert "网格化管理" in book.sheetnames
    assert "150302001002001" in cells
