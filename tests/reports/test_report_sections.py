"""Other apps' sections of the monthly report (core.report_sections): shown in the page's tables and every file, in
the viewer's scope, and a provider that fails leaves the rest of the report standing."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from shanzhi.core import report_sections
from shanzhi.core.report_sections import ReportPeriod, ReportSection
from shanzhi.reports import exports, monthly
from shanzhi.reports.cells import Percent

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_section():
    seen: list[ReportPeriod] = []

    def provider(period: ReportPeriod) -> ReportSection:
        seen.append(period)
        return ReportSection(
            key="grid",
            title="网格工作",
            header=["网格", "巡查(次)", "巡查覆盖率"],
            rows=[["和平1网格", 12, 0.75]],
            summary=["本月网格员巡查 12 次。"],
            percent_columns=frozenset({2}),
        )

    def broken(period: ReportPeriod) -> ReportSection:
        raise RuntimeError("a bug in another app")

    report_sections.register("test-grid", provider, order=100)
    report_sections.register("test-broken", broken, order=90)
    yield seen
    report_sections.unregister("test-grid")
    report_sections.unregister("test-broken")


def test_a_registered_section_reaches_the_tables_the_summary_and_the_files(grid_section, built, make_user):
    analyst = make_user(built.district.centre, "analyst")
    report = monthly.monthly_report(user=analyst, year=2026, month=3, now=NOW)

    (period,) = grid_section
    assert (period.start.isoformat(), period.end.isoformat(), period.unit_ids) == ("2026-03-01", "2026-03-31", None)
    assert "本月网格员巡查 12 次。" in report.summary
    heading, header, rows = exports.monthly_sections(report)[-1]
    assert (heading, header) == ("网格工作", ["网格", "巡查(次)", "巡查覆盖率"])
    assert rows == [["和平1网格", 12, Percent(0.75)]]

    workbook = load_workbook(io.BytesIO(exports.monthly_xlsx(report)))
    sheet = workbook["网格工作"]
    assert [c.value for c in sheet[4]][:3] == ["和平1网格", 12, 0.75]
    texts = [p.text for p in Document(io.BytesIO(exports.monthly_docx(report))).paragraphs]
    assert any(text.endswith("、网格工作") for text in texts)


def test_the_provider_gets_the_viewers_unit_scope(grid_section, built, make_user):
    head = make_user(built.unit_a, "unit_head")
    monthly.monthly_report(user=head, year=2026, month=3, now=NOW)
    (period,) = grid_section
    assert period.unit_ids is not None and built.unit_a.pk in period.unit_ids
    assert built.unit_b.pk not in period.unit_ids
