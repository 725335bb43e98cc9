"""Report files: the weekly supervision report as XLSX; the monthly analysis as XLSX, DOCX and PDF.

The DOCX looks like an official document (title, issuing unit, date, numbered sections, bordered tables, page
numbers, a chart); the PDF is the same content rendered by weasyprint from HTML with the Chinese font and inline SVG
charts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.loader import render_to_string

from shanzhi.core import clock
from shanzhi.reports import charts, rules
from shanzhi.reports.cells import Cell, Fixed, Percent, change
from shanzhi.reports.monthly import MonthlyReport, issuer_name
from shanzhi.reports.selectors import KpiRow

KPI_HEADERS = (
    "排名", "单位", "综合得分", "响应率", "签收及时率", "按期办结率", "解决率", "满意率",
    "重办率", "退回率", "延期率", "平均办理时长(小时)",
)  # fmt: skip
#: Rows of a breakdown shown before 其他 and 合计.
BREAKDOWN_ROWS = 15

#: Tables with more columns than this print on a landscape page.
WIDE_COLUMNS = 8

Rows = list[list[Cell]]


def kpi_cells(row: KpiRow) -> list[Cell]:
    k = row.kpi
    return [
        row.rank or "—",
        row.label,
        Fixed(k.composite, 2),
        Percent(k.response_rate),
        Percent(k.sign_rate),
        Percent(k.on_time_close_rate),
        Percent(k.resolution_rate),
        Percent(k.satisfaction_rate),
        Percent(k.redo_rate),
        Percent(k.return_rate),
        Percent(k.extension_rate),
        Fixed(k.avg_handling_hours, 1),
    ]


def breakdown_cells(rows: list[dict]) -> Rows:
    return [[r["label"], r["count"], Percent(r["share"]), r["previous"], change(r["change"])] for r in rows]


def monthly_sections(report: MonthlyReport) -> list[tuple[str, list[str], Rows]]:
    """(heading, header row, rows) of each table of the monthly report, in order."""
    sections: list[tuple[str, list[str], Rows]] = [
        (
            "总体情况",
            ["指标", "本月", "上月", "去年同月", "环比", "同比"],
            [["受理诉求(件)", report.totals["received"], report.previous_total, report.last_year_total,
              change(report.mom), change(report.yoy)],
             ["合并重复件(件)", report.totals["merged"], "", "", "", ""],
             ["直接答复(件)", report.totals["answered"], "", "", "", ""],
             ["不予受理(件)", report.totals["rejected"], "", "", "", ""]],
        ),
    ]  # fmt: skip
    for breakdown in report.breakdowns.values():
        rows = rules.breakdown_with_rest_and_total(breakdown.rows, BREAKDOWN_ROWS) if breakdown.rows else []
        sections.append((breakdown.title, ["名称", "本月(件)", "占比", "上月(件)", "环比"], breakdown_cells(rows)))
    sections.append(
        (
            "热点区域",
            ["排名", "区域", "所属", "诉求量(件)"],
            [[i, h["name"], h["parent"], h["count"]] for i, h in enumerate(report.hotspots, start=1)],
        )
    )
    sections.append(("单位综合考评排名", list(KPI_HEADERS), [kpi_cells(r) for r in report.ranking]))
    c = report.total_kpi.counts
    sections.append(
        (
            "群众满意度",
            ["满意", "基本满意", "不满意", "满意率", "解决率"],
            [[c.satisfied, c.fairly_satisfied, c.dissatisfied, Percent(report.total_kpi.satisfaction_rate),
              Percent(report.total_kpi.resolution_rate)]],
        )
    )  # fmt: skip
    for extra in report.extra_sections:  # the other apps' sections (grid, mediation, IoT, co-governance, …)
        cells: Rows = [
            [
                Percent(v) if i in extra.percent_columns and isinstance(v, float) else _plain(v)
                for i, v in enumerate(row)
            ]
            for row in extra.rows
        ]
        sections.append((extra.title, list(extra.header), cells))
    return sections


def _plain(value: object) -> Cell:
    return value if value is None or isinstance(value, int | float | str | Percent | Fixed) else str(value)


# --- XLSX ---------------------------------------------------------------------------------------------------


def _sheet(  # type: ignore[no-untyped-def]
    workbook, title: str, header: Sequence[object], rows: Sequence[Sequence[Cell]], *, first: bool = False,
    heading: Sequence[str] = (),
):  # fmt: skip
    """A sheet: ``heading`` lines (the title, the period) above a bordered table; rates and measures as numbers."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    for number, line in enumerate(heading, start=1):
        sheet.append([line])
        sheet.cell(row=number, column=1).font = Font(bold=number == 1, size=14 if number == 1 else 11)
        if len(header) > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(header))
    header_row = len(heading) + 1
    sheet.append(list(header))
    for values in rows:
        sheet.append([_xlsx_value(v) for v in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, Percent | Fixed):
                sheet.cell(row=sheet.max_row, column=column).number_format = value.excel_format
    thin = Side(style="thin", color="999999")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for index in range(1, len(header) + 1):
        texts = [str(sheet.cell(row=r, column=index).value or "") for r in range(header_row, sheet.max_row + 1)]
        width = max((len(t) for t in texts), default=4) * 2 + 2
        sheet.column_dimensions[_col(index)].width = min(max(width, 8), 60)
    sheet.freeze_panes = f"A{header_row + 1}"
    return sheet


def _xlsx_value(value: Cell) -> int | float | str | None:
    if isinstance(value, Percent | Fixed):
        return "—" if value.number is None else value.number
    return value


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _save(workbook) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def monthly_xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    period = f"统计周期：{report.period.start.isoformat()} 至 {report.period.end.isoformat()}"
    summary = _sheet(
        workbook, "摘要", ["序号", "总体情况"], [[i, s] for i, s in enumerate(report.summary, start=1)],
        first=True, heading=[report.title, period],
    )  # fmt: skip
    summary.column_dimensions["B"].width = 100
    for heading, header, rows in monthly_sections(report):
        _sheet(workbook, heading, header, rows, heading=[f"{report.title}：{heading}", period])
    _sheet(workbook, "每日受理量", ["日期", "受理(件)"], [[d.isoformat(), n] for d, n in report.daily])
    return _save(workbook)


def weekly_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    header = ["单位"] + [label for _, label in data["columns"]]
    rows = [[u["unit"]] + [u[code] for code, _ in data["columns"]] for u in data["units"]]
    rows.append(["合计"] + [data["totals"][code] for code, _ in data["columns"]])
    period = f"统计周期：{data['week_start']} 至 {data['week_end']}"
    title = f"{issuer_name()}督办周报"
    _sheet(workbook, f"周报督办 {data['week_start']}", header, rows, first=True, heading=[title, period])
    order_header = [
        "诉求编号",
        "被督办单位",
        "级别",
        "督办事由",
        "督办时间",
        "回复时限",
        "回复内容",
        "回复时间",
        "状态",
    ]
    order_rows = [
        [o["tracking_no"], o["unit"], o["level"], o["reason"], o["issued_at"], o["reply_due_at"], o["reply"],
         o["replied_at"], o["state"]]
        for o in data["orders"]
    ]  # fmt: skip
    _sheet(workbook, "督办单及回复", order_header, order_rows, heading=[f"{title}：督办单及回复", period])
    return _save(workbook)


# --- DOCX ---------------------------------------------------------------------------------------------------


def _east_asian(run, name: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn

    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def monthly_docx(report: MonthlyReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "宋体"
    )
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4 (python-docx's template is US Letter)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.5)
    _page_number_footer(section)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title)
    run.bold, run.font.size = True, Pt(20)
    _east_asian(run, "黑体")
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    local = report.generated_at.astimezone(clock.centre_tz())
    meta.add_run(f"{report.issuer}　　{local.year}年{local.month}月{local.day}日")

    def heading(number: int, text: str) -> None:
        paragraph = document.add_paragraph()
        heading_run = paragraph.add_run(f"{rules.chinese_numeral(number)}、{text}")
        heading_run.bold, heading_run.font.size = True, Pt(14)
        _east_asian(heading_run, "黑体")

    heading(1, "总体情况")
    for sentence in report.summary:
        paragraph = document.add_paragraph(sentence)
        paragraph.paragraph_format.first_line_indent = Pt(22)
    trend = report.daily
    document.add_picture(
        io.BytesIO(charts.line_png([f"{d.day}日" for d, _ in trend], [n for _, n in trend], title="每日受理量")),
        width=Cm(16),
    )
    cats = report.breakdowns["category_l1"].rows[:10]
    document.add_picture(
        io.BytesIO(charts.bar_png([r["label"] for r in cats], [r["count"] for r in cats], title="诉求分类（前十）")),
        width=Cm(16),
    )
    for number, (text, header, rows) in enumerate(monthly_sections(report), start=2):
        heading(number, text if number > 2 else "主要指标")
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, value in zip(table.rows[0].cells, header, strict=True):
            cell.text = str(value)
            for paragraph in cell.paragraphs:
                for r in paragraph.runs:
                    r.bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, item in zip(cells, values, strict=False):
                cell.text = str(item)
        if not rows:
            document.add_paragraph("本月无数据。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------


def monthly_html(report: MonthlyReport) -> str:
    trend = report.daily
    cats = report.breakdowns["category_l1"].rows[:10]
    local = report.generated_at.astimezone(clock.centre_tz())
    return render_to_string(
        "reports/monthly_print.html",
        {
            "report": report,
            "date_text": f"{local.year}年{local.month}月{local.day}日",
            "sections": [
                (rules.chinese_numeral(i + 2), heading if i else "主要指标", header, rows, len(header) > WIDE_COLUMNS)
                for i, (heading, header, rows) in enumerate(monthly_sections(report))
            ],
            "trend_svg": charts.line_svg([f"{d.day}日" for d, _ in trend], [n for _, n in trend], title="每日受理量"),
            "category_svg": charts.bar_svg(
                [r["label"] for r in cats], [r["count"] for r in cats], title="诉求分类（前十）"
            ),
        },
    )


def monthly_pdf(report: MonthlyReport) -> bytes:
    from weasyprint import HTML

    return HTML(string=monthly_html(report)).write_pdf()
