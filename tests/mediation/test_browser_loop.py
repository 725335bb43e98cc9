"""The whole loop in a real browser (the system Chromium through Playwright):

a grid worker files a high-risk screening report → the mediator takes it up as a case with its parties → assigns it
(the rule picks the mediator) → books a room's slot → records the session → generates the agreement, which is
downloaded and opened → follows up → the centre's leader evaluates and the case closes; the timeline shows every
step.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from docx import Document

from shanzhi.core import clock
from shanzhi.mediation.models import Case, CaseState

from .test_agreement import docx_text

PASSWORD = "pass-1234-word"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, base_url: str, username: str):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
    return page


def wait_for_success(page, text: str) -> None:
    try:
        page.wait_for_selector(f".alert-success >> text={text}")
    except Exception:
        out = Path(__file__).resolve().parents[2] / "test-output"
        out.mkdir(exist_ok=True)
        (out / "mediation-failed-page.html").write_text(page.content(), encoding="utf-8")
        page.screenshot(path=str(out / "mediation-failed-page.png"), full_page=True)
        raise


def test_screening_to_evaluated_case_in_the_browser(live_server, browser, desk, med, output_dir):
    base = live_server.url
    today = clock.local_date()

    # 排: the grid worker of grid A files a high-risk screening report.
    grid = log_in(browser, base, "grid-a")
    grid.click("text=矛盾纠纷调解")
    grid.wait_for_url(re.compile(r".*/console/mediation/$"))
    grid.click("text=填报排查")
    grid.select_option("#id_unit", str(desk.district.grid_a.pk))
    grid.fill("#id_period_start", (today - dt.timedelta(days=7)).isoformat())
    grid.fill("#id_period_end", today.isoformat())
    grid.select_option("#id_domain", "neighbours")
    grid.select_option("#id_risk_level", "high")
    grid.fill("#id_summary", "和平路12号601室漏水致501室受损，双方多次争吵，有激化苗头。")
    grid.click("#screening-form button[type=submit]")
    wait_for_success(grid, "高风险已预警")
    grid.context.close()

    # The mediator sees the alert and takes the report up as a case.
    mediator = log_in(browser, base, "med")
    mediator.click("text=矛盾纠纷调解")
    mediator.wait_for_selector("#screening-alerts >> text=1 条高风险待处置")
    mediator.click("#screening-list >> text=立案调解")
    mediator.fill("#id_title", "楼上漏水损坏楼下装修")
    mediator.fill("#id_amount", "3000")
    mediator.fill("#id_applicant_name", "李建国")
    mediator.fill("#id_applicant_phone", "13912345678")
    mediator.fill("#id_applicant_id_number", "150302198001011237")
    mediator.fill("#id_applicant_address", "和平路12号3单元501")
    mediator.fill("#id_respondent_name", "王秀英")
    mediator.click("#case-form button[type=submit]")
    wait_for_success(mediator, "已登记案件")
    assert "李*国" in mediator.inner_text("#parties") and "李建国" not in mediator.inner_text("#parties")

    # 分: automatic assignment picks the committee's specialist.
    mediator.select_option("#assign-committee", str(med.committee.pk))
    mediator.click('form[data-action="assign"] button[type=submit]')
    wait_for_success(mediator, "已分派给")
    assert mediator.inner_text("#case-mediator") == str(med.mediator.user)

    # 调: book the first free slot, then record the session.
    mediator.select_option("#book-slot", str(med.slots[0].pk))
    mediator.click('form[data-action="book"] button[type=submit]')
    wait_for_success(mediator, "已预约调解")
    mediator.fill("#record-text", "双方到场陈述；王秀英同意承担维修费用。")
    mediator.click('form[data-action="record"] button[type=submit]')
    wait_for_success(mediator, "已记录调解笔录")

    # 处: the agreement, generated, downloaded and opened.
    form = mediator.locator('form[data-action="agreement"]')
    form.locator("#id_terms").fill("王秀英于十五日内赔偿李建国装修损失人民币3000元，并修复卫生间防水。")
    form.locator("#id_performance_method").fill("银行转账")
    form.locator("#id_performance_place").fill("海勃湾区矛盾纠纷调解中心")
    form.locator("#id_performance_due").fill((today + dt.timedelta(days=15)).isoformat())
    form.locator("button[type=submit]").click()
    wait_for_success(mediator, "已生成调解协议书")
    with mediator.expect_download() as download_info:
        mediator.click("#agreement-docx")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = output_dir / "mediation-agreement.docx"
    download.save_as(str(saved))
    case = Case.objects.get()
    text = docx_text(saved.read_bytes())
    agreement = case.agreement
    for needle in ("人民调解协议书", f"编号：{agreement.number}", "申请人：李*国", "被申请人：王*英",
                   "601室漏水", "赔偿李建国装修损失人民币3000元", "履行方式：银行转账",
                   "履行地点：海勃湾区矛盾纠纷调解中心", "履行期限：", f"调解员（签名）：{med.mediator.user}",
                   f"人民调解委员会（盖章）：{med.committee.name}", "申请人（签名/盖章）", "被申请人（签名/盖章）",
                   f"日期：{today.year}年{today.month}月{today.day}日"):  # fmt: skip
        assert needle in text, needle
    assert Document(io.BytesIO(saved.read_bytes())).tables  # the signature table

    # 评: follow-up, then the leader's evaluation closes the case.
    form = mediator.locator('form[data-action="follow_up"]')
    form.locator("#id_performance").select_option("full")
    form.locator("#id_note").fill("已按约转账，防水已修复，双方无异议。")
    form.locator("button[type=submit]").click()
    wait_for_success(mediator, "已记录回访")
    mediator.context.close()

    leader = log_in(browser, base, "boss")
    leader.goto(f"{base}/console/mediation/cases/{case.pk}/")
    form = leader.locator('form[data-action="evaluate"]')
    form.locator("#id_satisfaction").select_option("satisfied")
    form.locator("#id_review").fill("调解及时，协议已履行，同意结案。")
    form.locator("button[type=submit]").click()
    wait_for_success(leader, "已评价并结案")
    assert leader.inner_text("#case-state") == "已结案"
    kinds = leader.eval_on_selector_all("#timeline li", "items => items.map(i => i.dataset.kind)")
    assert kinds == ["registered", "assigned", "session_booked", "session_held", "agreement", "followed_up",
                     "evaluated"]  # fmt: skip
    timeline = leader.inner_text("#timeline")
    for label in ("登记案件", "分派", "预约调解", "调解并记录笔录", "生成调解协议书", "回访", "评价结案"):
        assert label in timeline
    leader.screenshot(path=str(output_dir / "mediation-case.png"), full_page=True)
    assert Case.objects.get().state == CaseState.CLOSED
