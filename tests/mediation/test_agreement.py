"""The agreement (人民调解协议书) opened from its DOCX and checked for every element the law requires; the PDF is a
real PDF with the Chinese font embedded and the same content."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib

import pytest
from docx import Document

from shanzhi.core import clock
from shanzhi.mediation import documents, services

from .conftest import APPLICANT, RESPONDENT

pytestmark = pytest.mark.django_db

TERMS = "一、王秀英于2026年12月20日前一次性赔偿李建国装修损失人民币叁仟元（3000元）。\n二、王秀英负责修复卫生间防水。"


@pytest.fixture
def agreement(desk, med, case_of):
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    session = services.session_book(actor=user, case=case, slot=med.slots[0])
    services.session_record(actor=user, session=session, record="双方到场。")
    return services.agreement_make(
        actor=user,
        case=case,
        terms=TERMS,
        performance_method="银行转账至李建国本人账户",
        performance_place="海勃湾区矛盾纠纷调解中心",
        performance_due=clock.local_date() + dt.timedelta(days=14),
    )


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def required_elements(agreement, *, full: bool) -> dict[str, str]:
    case = agreement.case
    due = agreement.performance_due
    signed = agreement.signed_on
    applicant = APPLICANT.name if full else "李*国"
    respondent = RESPONDENT.name if full else "王*英"
    return {
        "title": "人民调解协议书",
        "number": f"编号：{agreement.number}",
        "applicant": f"申请人：{applicant}",
        "respondent": f"被申请人：{respondent}",
        "facts": "601室卫生间漏水致501室天花板和墙面受损",
        "terms": "一次性赔偿李建国装修损失人民币叁仟元",
        "terms, second": "王秀英负责修复卫生间防水",
        "performance method": "履行方式：银行转账至李建国本人账户",
        "performance place": "履行地点：海勃湾区矛盾纠纷调解中心",
        "performance term": f"履行期限：{due.year}年{due.month}月{due.day}日前履行完毕",
        "applicant's signature": f"申请人（签名/盖章）：{applicant}",
        "respondent's signature": f"被申请人（签名/盖章）：{respondent}",
        "mediator": f"调解员（签名）：{case.mediator.user}",
        "committee": f"人民调解委员会（盖章）：{case.committee.name}",
        "date": f"日期：{signed.year}年{signed.month}月{signed.day}日",
        "judicial confirmation": "三十日内",
    }


@pytest.mark.parametrize("full", [False, True])
def test_docx_carries_every_required_element(agreement, full):
    text = docx_text(documents.agreement_docx(agreement, full=full))
    missing = [name for name, needle in required_elements(agreement, full=full).items() if needle not in text]
    assert missing == []
    if full:
        assert "150302198001011237" in text and "13912345678" in text
        assert "已脱敏" not in text
    else:  # the masked copy: no full name, ID number or phone anywhere
        assert "李建国（" not in text and "150302198001011237" not in text and "13912345678" not in text
        assert "150302********1237" in text and "已脱敏" in text


def test_pdf_is_a_document_with_the_chinese_font_and_the_same_elements(agreement):
    pdf = documents.agreement_pdf(agreement)
    assert pdf.startswith(b"%PDF")
    inflated = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    objects = b"".join(inflated)
    assert b"/FontFile" in objects and b"CJK" in objects
    html = documents.agreement_html(agreement)
    missing = [name for name, needle in required_elements(agreement, full=False).items() if needle not in html]
    assert missing == []
