"""The co-governance figures in the generated monthly report: demands, matched rate, projects finished and
volunteer hours, in the page's tables, the summary, the XLSX and the DOCX, in the viewer's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from shanzhi.cogovern import services
from shanzhi.reports import exports, monthly

from .conftest import NOW, RESIDENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(desk, co):
    """In March 2026: 和平 3 demands (2 matched, 1 project finished) and 2 h of patrol; 清泉 1 demand. One
    demand in February does not count."""
    d = desk.district

    def post(community, title, when):
        return services.demand_post(
            phone=RESIDENT, community=community, title=title, content="居民的具体需求说明", now=when
        )

    first = post(d.community_a, "需求一号事项", NOW)
    second = post(d.community_a, "需求二号事项", NOW)
    post(d.community_a, "需求三号事项", NOW)
    post(d.community_b, "清泉需求事项", NOW)
    post(d.community_a, "二月份的需求", NOW - dt.timedelta(days=20))
    for demand in (first, second):
        services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_a, now=NOW)
    project = services.project_create(actor=co.staff_a, demand=first, title="一号项目", now=NOW)
    services.project_start(actor=co.staff_a, project=project, now=NOW)
    services.project_finish(actor=co.staff_a, project=project, result="完成", now=NOW + dt.timedelta(days=2))
    services.check_in_by_qr(token=services.checkin_token(co.activity_a), phone=RESIDENT, now=NOW)


def test_the_figures_appear_in_the_monthly_report_and_its_files(desk, march):
    report = monthly.monthly_report(user=desk.analyst, year=2026, month=3, now=NOW + dt.timedelta(days=10))
    summary = " ".join(report.summary)
    assert "多元共治：本月居民需求 4 件，匹配资源 2 件（匹配率 50.0%），完成项目 1 个，志愿服务 2 小时。" in summary
    _heading, header, rows = next(s for s in exports.monthly_sections(report) if s[0] == "多元共治")
    assert header == ["社区", "需求(件)", "已匹配(件)", "匹配率", "完成项目(个)", "志愿服务(小时)"]
    assert [[str(cell) if i == 3 else cell for i, cell in enumerate(row)] for row in rows] == [
        ["和平社区居委会", 3, 2, "66.7%", 1, 2.0],
        ["清泉社区居委会", 1, 0, "0.0%", 0, 0.0],
        ["合计", 4, 2, "50.0%", 1, 2.0],
    ]
    sheet = load_workbook(io.BytesIO(exports.monthly_xlsx(report)))["多元共治"]
    assert ["和平社区居委会", 3, 2] in [[c.value for c in row][:3] for row in sheet.iter_rows()]
    document = Document(io.BytesIO(exports.monthly_docx(report)))
    assert any(p.text.endswith("、多元共治") for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "和平社区居委会" in cells and "66.7%" in cells


def test_a_community_head_gets_the_figures_of_their_community_only(desk, co, march):
    report = monthly.monthly_report(user=co.head_a, year=2026, month=3, now=NOW + dt.timedelta(days=10))
    _heading, _header, rows = next(s for s in exports.monthly_sections(report) if s[0] == "多元共治")
    assert [r[0] for r in rows] == ["和平社区居委会", "合计"]
