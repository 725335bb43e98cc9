"""The mediation agreement (人民调解协议书) as DOCX (python-docx, what offices edit) and PDF (WeasyPrint with the
Noto CJK font), from one content model so both carry the same elements (人民调解法 第二十九条):
number, parties, facts and issues, agreed rights and obligations, manner, place and term of performance, the
parties' signatures, the mediator, the committee's seal, the date.

``full`` chooses the parties' personal data: the masked copy by default; the full one only after
``orgs.personal_data.personal_data_reveal`` has checked the permission and logged the export (the view does that).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from shanzhi.mediation import rules
from shanzhi.mediation.models import Agreement, Party, PartyRole

CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class PartyLine:
    role: str
    name: str
    id_number: str
    phone: str
    address: str

    def text(self) -> str:
        bits = [f"{self.role}：{self.name}"]
        if self.id_number:
            bits.append(f"身份证号：{self.id_number}")
        if self.phone:
            bits.append(f"联系电话：{self.phone}")
        if self.address:
            bits.append(f"住址：{self.address}")
        return "，".join(bits)


@dataclass(frozen=True)
class AgreementContent:
    title: str
    number: str
    committee: str
    mediator: str
    date_text: str
    parties: list[PartyLine]
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    masked: bool = True


def _date_text(value) -> str:  # type: ignore[no-untyped-def]
    return f"{value.year}年{value.month}月{value.day}日"


def _party_line(party: Party, *, full: bool) -> PartyLine:
    role = str(PartyRole(party.role).label)
    if full:
        return PartyLine(role, party.name, party.id_number, party.phone, party.address)
    return PartyLine(role, party.name_masked, party.id_number_masked, party.phone_masked, party.address_masked)


def agreement_content(agreement: Agreement, *, full: bool = False) -> AgreementContent:
    case = agreement.case
    assert case.committee is not None and case.mediator is not None
    parties = [_party_line(p, full=full) for p in case.parties.order_by("role", "id")]
    performance = [
        f"履行方式：{agreement.performance_method}",
        f"履行地点：{agreement.performance_place or '—'}",
        f"履行期限：{_date_text(agreement.performance_due)}前履行完毕。",
    ]
    deadline = rules.judicial_confirmation_deadline(agreement.signed_on)
    closing = [
        "本协议经双方当事人签名（盖章）、调解员签名并加盖人民调解委员会印章后生效，具有法律约束力，当事人应当按照约定履行。",
        f"双方当事人可以自本协议生效之日起三十日内（{_date_text(deadline)}前）共同向人民法院申请司法确认。",
        f"本协议一式{len(parties) + 1}份，当事人各执一份，人民调解委员会留存一份。",
    ]
    return AgreementContent(
        title="人民调解协议书",
        number=agreement.number,
        committee=case.committee.name,
        mediator=str(case.mediator.user),
        date_text=_date_text(agreement.signed_on),
        parties=parties,
        sections=[
            ("纠纷主要事实、争议事项", [p for p in agreement.facts.splitlines() if p.strip()]),
            ("经调解，自愿达成如下协议", [p for p in agreement.terms.splitlines() if p.strip()]),
            ("履行方式、地点、期限", performance),
        ],
        closing=closing,
        masked=not full,
    )


def _east_asian(run, name: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def agreement_docx(agreement: Agreement, *, full: bool = False) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    content = agreement_content(agreement, full=full)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.6)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.bold, run.font.size = True, Pt(22)
    _east_asian(run, "宋体")
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.add_run(f"编号：{content.number}")
    if content.masked:
        note = document.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.add_run("（副本：当事人个人信息已脱敏）").italic = True

    heading = document.add_paragraph()
    heading.add_run("当事人").bold = True
    for party in content.parties:
        document.add_paragraph(party.text())
    for index, (text, paragraphs) in enumerate(content.sections):
        head = document.add_paragraph()
        head_run = head.add_run(f"{CN_NUMBERS[index]}、{text}")
        head_run.bold = True
        _east_asian(head_run, "黑体")
        for line in paragraphs:
            paragraph = document.add_paragraph(line)
            paragraph.paragraph_format.first_line_indent = Pt(24)
    for line in content.closing:
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.first_line_indent = Pt(24)

    signatures = document.add_table(rows=0, cols=2)
    signatures.style = "Table Grid"
    for party in content.parties:
        cells = signatures.add_row().cells
        cells[0].text = f"{party.role}（签名/盖章）：{party.name}"
        cells[1].text = "签名：____________　日期：________"
    cells = signatures.add_row().cells
    cells[0].text = f"调解员（签名）：{content.mediator}"
    cells[1].text = "签名：____________"
    cells = signatures.add_row().cells
    cells[0].text = f"人民调解委员会（盖章）：{content.committee}"
    cells[1].text = f"日期：{content.date_text}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def agreement_html(agreement: Agreement, *, full: bool = False) -> str:
    return render_to_string(
        "mediation/agreement_print.html",
        {"content": agreement_content(agreement, full=full), "numbers": CN_NUMBERS},
    )


def agreement_pdf(agreement: Agreement, *, full: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=agreement_html(agreement, full=full)).write_pdf()
