"""The report files opened and read back: DOCX (python-docx), XLSX (openpyxl), PDF (pdftotext when installed,
otherwise the PDF header and the embedded Chinese font)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib

import pytest
from docx import Document
from openpyxl import load_workbook

from shanzhi.reports import exports, monthly, rules, weekly
from shanzhi.supervision.models import SupervisionOrder

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(built, make_user):
    analyst = make_user(built.district.centre, "analyst")
    return monthly.monthly_report(user=analyst, year=2026, month=3, now=NOW, issuer="海勃湾区社会治理中心")


def test_monthly_figures_and_summary(report, built):
    assert report.totals["received"] == 5 and report.previous_total == 4 and report.last_year_total == 2
    # 5 vs 4 → +25.0 %; 5 vs 2 → +150.0 %. Hotline: A1, A3, A4 → 3 of 5 = 60.0 %.
    assert report.summary[0] == "本月共受理诉求 5 件，环比增长 25.0%，同比增长 150.0%。"
    assert report.summary[1] == "从来源看，热线渠道最多，3 件，占 60.0%。"
    assert "城乡建设（5 件）" in report.summary[2]
    assert f"综合考评中，{built.unit_b.name}排名第一；{built.unit_a.name}排名末位，需加强督办。" in report.summary
    assert report.hotspots[0]["name"] == built.district.grid_a.name and report.hotspots[0]["count"] == 3


def test_monthly_docx(report, built):
    document = Document(io.BytesIO(exports.monthly_docx(report)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2026年3月诉求办理分析报告"
    assert texts[1].startswith("海勃湾区社会治理中心") and "2026年3月20日" in texts[1]
    assert "一、总体情况" in texts and "二、主要指标" in texts
    assert "本月共受理诉求 5 件，环比增长 25.0%，同比增长 150.0%。" in texts
    assert len(document.inline_shapes) == 2  # the trend and the category charts
    ranking = next(t for t in document.tables if t.rows[0].cells[2].text == "综合得分")
    assert ranking.style is not None and ranking.style.name == "Table Grid"
    first = [c.text for c in ranking.rows[1].cells]
    assert first[:3] == ["1", built.unit_b.name, "100.00"]
    second = [c.text for c in ranking.rows[2].cells]
    assert second[:4] == ["2", built.unit_a.name, "45.00", "50.0%"] and second[5] == "33.3%"
    channels = next(t for t in document.tables if t.rows[0].cells[0].text == "名称")
    assert [c.text for c in channels.rows[1].cells][:3] == ["热线", "3", "60.0%"]
    # The breakdown adds up: its last row is the month's total (a 其他 row only when more than 15 are listed).
    assert [c.text for c in channels.rows[-1].cells][:3] == ["合计", "5", "100.0%"]
    footer_xml = document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter


def test_monthly_xlsx(report, built):
    workbook = load_workbook(io.BytesIO(exports.monthly_xlsx(report)))
    assert "单位综合考评排名" in workbook.sheetnames
    sheet = workbook["单位综合考评排名"]
    # A title and the period above the table; the figures are numbers with a number format, not text.
    assert sheet["A1"].value == "2026年3月诉求办理分析报告：单位综合考评排名"
    assert sheet["A2"].value == "统计周期：2026-03-01 至 2026-03-31"
    assert [c.value for c in sheet[3]][:3] == ["排名", "单位", "综合得分"]
    first = sheet[4]
    assert [c.value for c in first][:3] == [1, built.unit_b.name, 100.0]
    assert first[2].number_format == "0.00" and first[3].value == 1.0 and first[3].number_format == "0.0%"
    second = sheet[5]
    assert second[5].value == pytest.approx(1 / 3) and second[5].number_format == "0.0%"
    assert sheet.freeze_panes == "A4"
    overall = workbook["总体情况"]
    assert [c.value for c in overall[4]] == ["受理诉求(件)", 5, 4, 2, 0.25, 1.5]
    assert overall["E4"].number_format == "+0.0%;-0.0%;0.0%"
    channels = workbook["来源渠道"]
    assert [c.value for c in channels[channels.max_row]][:3] == ["合计", 5, pytest.approx(1.0)]
    daily = workbook["每日受理量"]
    assert daily.max_row == 32 and daily["A2"].value == "2026-03-01"
    summary = workbook["摘要"]
    assert summary["A1"].value == "2026年3月诉求办理分析报告"
    assert summary["B4"].value.startswith("本月共受理诉求 5 件")


def test_monthly_pdf(report):
    pdf = exports.monthly_pdf(report)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "2026年3月诉求办理分析报告" in text and "本月共受理诉求 5 件" in text
    else:  # poppler-utils not installed: the Chinese font must be embedded (subset) in the file
        objects = _pdf_objects(pdf)
        assert b"/FontFile" in objects
        assert b"NotoSansCJK" in objects
    html = exports.monthly_html(report)
    assert "<svg" in html and "本月共受理诉求 5 件" in html
    # The ranking (12 columns) prints on a landscape page, rows never split across pages.
    ranking = html[html.index('<section class="wide">') :]
    assert ranking.index("单位综合考评排名") < ranking.index("</section>")
    assert "@page wide { size: A4 landscape" in html and "tr { break-inside: avoid; }" in html


def _pdf_objects(pdf: bytes) -> bytes:
    """The file with its Flate-compressed streams (object streams included) inflated."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_weekly_report_and_xlsx(built):
    s3 = built.assignments["s3"]
    type(s3).objects.filter(pk=s3.pk).update(warning="red")
    SupervisionOrder.objects.create(
        assignment=s3, appeal=s3.appeal, unit=built.unit_a, level="overdue", trigger="overdue",
        reason="超期未办结", issued_at=at(3, 16, 10), reply_due_at=at(3, 17, 10),
        reply="已安排维修", replied_at=at(3, 16, 15), state="replied",
    )  # fmt: skip
    data = weekly.weekly_data(week=rules.week_period(dt.date(2026, 3, 16)), now=NOW)
    rows = {r["unit_id"]: r for r in data["units"]}
    a = rows[built.unit_a.pk]
    # A: A3 past due (03-12) and red; A2 round 2 due 03-25 is beyond three days; one order, replied in time.
    assert (a["overdue"], a["due_soon"], a["red"], a["orders"], a["orders_replied"], a["orders_reply_late"]) == (
        1, 0, 1, 1, 1, 0,
    )  # fmt: skip
    assert data["orders"][0]["reply"] == "已安排维修"
    earlier = weekly.weekly_data(week=rules.week_period(dt.date(2026, 3, 15)), now=NOW)
    assert {r["unit_id"]: r["extended"] for r in earlier["units"]}[built.unit_b.pk] == 1  # A6 extended on 03-15
    workbook = load_workbook(io.BytesIO(exports.weekly_xlsx(data)))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value.endswith("督办周报") and sheet["A2"].value == "统计周期：2026-03-16 至 2026-03-22"
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["单位", "超期未办结", "三日内到期"]
    unit_row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == built.unit_a.name)
    assert unit_row[1] == 1 and unit_row[header.index("红牌")] == 1
    orders = workbook.worksheets[1]
    assert orders["A4"].value == s3.appeal.tracking_no and orders["G4"].value == "已安排维修"


def test_weekly_task_stores_last_weeks_snapshot(built, time_machine):
    from shanzhi.reports.models import WeeklyReport
    from shanzhi.reports.tasks import weekly_supervision_report

    time_machine.move_to(at(3, 23, 7), tick=False)  # Monday 07:00
    pk = weekly_supervision_report.enqueue().return_value
    snapshot = WeeklyReport.objects.get(pk=pk)
    assert snapshot.week_start == dt.date(2026, 3, 16)
    assert snapshot.data["totals"]["overdue"] >= 1
