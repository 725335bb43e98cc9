"""The monthly report's mediation section: cases, agreement rate and performance rate, in the viewer's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from shanzhi.core import clock, report_sections
from shanzhi.core.report_sections import ReportPeriod
from shanzhi.mediation import services
from shanzhi.orgs import permissions

pytestmark = pytest.mark.django_db


def _agree(case, med, slot):
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case, committee=med.committee, mediator=med.mediator)
    session = services.session_book(actor=user, case=case, slot=slot)
    services.session_record(actor=user, session=session, record="到场")
    services.agreement_make(actor=user, case=case, terms="赔偿", performance_method="转账",
                            performance_due=clock.local_date() + dt.timedelta(days=3))  # fmt: skip
    return case


def test_section_counts_cases_agreements_and_performance(desk, med, case_of, screening):
    a = _agree(case_of(), med, med.slots[0])
    b = _agree(case_of(), med, med.slots[1])
    services.follow_up_record(actor=med.mediator.user, case=a, performance="full", note="已履行")
    services.follow_up_record(actor=med.mediator.user, case=b, performance="partial", note="只付一半")
    referred = services.case_assign(actor=med.mediator.user, case=case_of(), committee=med.committee)
    services.case_refer(actor=med.mediator.user, case=referred, route="litigation", reason="分歧大")
    case_of()  # still open
    today = clock.local_date()
    period = ReportPeriod(start=today.replace(day=1), end=today, unit_ids=None)
    section = next(s for s in report_sections.monthly_sections(period) if s.key == "mediation")
    assert section.header[:4] == ["纠纷领域", "受理(件)", "调结(件)", "达成协议(件)"]
    neighbours, total = section.rows
    assert neighbours[0] == "邻里纠纷" and total[0] == "合计"
    assert total[1:6] == [4, 3, 2, pytest.approx(2 / 3), 0.5]
    assert section.percent_columns == frozenset({4, 5})
    assert "本期受理矛盾纠纷 4 件" in section.summary[0] and "协议率 66.7%" in section.summary[0]

    committees = next(s for s in report_sections.monthly_sections(period) if s.key == "mediation_committees")
    assert committees.rows == [[med.committee.name, desk.district.centre.name, 3, 0, 0.0, pytest.approx(2 / 3), 0.0]]

    outside = ReportPeriod(start=period.start, end=today, unit_ids=permissions.report_unit_ids(desk.town_b_handler))
    assert all(s.key != "mediation" for s in report_sections.monthly_sections(outside))
    inside = ReportPeriod(start=period.start, end=today, unit_ids=permissions.report_unit_ids(desk.town_a_handler))
    assert next(s for s in report_sections.monthly_sections(inside) if s.key == "mediation").rows[-1][1] == 4


def test_the_monthly_report_files_carry_the_mediation_section(desk, med, case_of):
    from docx import Document

    from shanzhi.reports import exports, monthly

    case_of()  # one open case: no rate to compute yet
    now = clock.now()
    local = clock.local_date(now)
    report = monthly.monthly_report(user=desk.analyst, year=local.year, month=local.month, now=now)
    _heading, _header, rows = next(s for s in exports.monthly_sections(report) if s[0] == "矛盾纠纷调解")
    assert rows[-1] == ["合计", 1, 0, 0, "—", "—", "—"]
    texts = [p.text for p in Document(io.BytesIO(exports.monthly_docx(report))).paragraphs]
    assert any(text.endswith("、矛盾纠纷调解") for text in texts)
    assert any("本期受理矛盾纠纷 1 件" in text for text in texts)
