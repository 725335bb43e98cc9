"""The whole path of one appeal through the console, in a real browser:

operator takes a call (intake form, Ctrl+Enter) → dispatched by the catalogue → the unit's handler signs and feeds
back → the centre replies → follow-up rated 满意 → closed; the timeline shows every step.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.routing.models import Category, DispatchRule

PASSWORD = "pass-1234-word"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, base_url: str, username: str):
    # Reduced motion: Bootstrap then opens the action accordions without a transition to race with.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
    return page


def wait_for_success(page, text: str) -> None:
    """Wait for the success message; on a timeout keep the page (HTML and screenshot) for the diagnosis."""
    try:
        page.wait_for_selector(f".alert-success >> text={text}")
    except Exception:
        out = Path(__file__).resolve().parents[2] / "test-output"
        out.mkdir(exist_ok=True)
        (out / "failed-page.html").write_text(page.content(), encoding="utf-8")
        page.screenshot(path=str(out / "failed-page.png"), full_page=True)
        raise


def open_action(page, code: str):
    page.click(f'[data-action-toggle="{code}"]')
    page.wait_for_selector(f"#act-{code}.show:not(.collapsing)")
    form = page.locator(f'form[data-action-form="{code}"]')
    form.wait_for(state="visible")
    return form


def test_hotline_call_to_closed_appeal(live_server, browser, district, make_user, output_dir):
    base = live_server.url
    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban, note="路灯由城管局主办")
    make_user(district.centre, "operator", username="operator")
    make_user(district.dept_urban, "handler", username="handler")

    # 1. The operator takes the call.
    operator = log_in(browser, base, "operator")
    operator.click("text=诉求受理")
    operator.wait_for_url(re.compile(r".*/console/intake/$"))
    operator.fill("#id_citizen_phone", "13800001234")
    operator.wait_for_selector("#caller-history >> text=以往诉求 0 件")
    operator.keyboard.press("Enter")  # Enter moves on to the next field
    assert operator.evaluate("document.activeElement.id") == "id_citizen_name"
    operator.fill("#id_citizen_name", "王小明")
    operator.select_option("#id_category", str(road_light.pk))
    operator.fill("#id_content", "和平路 12 号门口的路灯坏了一周，晚上很黑。")
    operator.fill("#id_address", "和平路12号")
    operator.select_option("#id_area", str(district.grid_a.pk))
    operator.focus("#id_address")
    operator.screenshot(path=str(output_dir / "intake.png"), full_page=True)
    operator.keyboard.press("Control+Enter")  # Ctrl+Enter submits
    operator.wait_for_url(re.compile(r".*/console/appeals/\d+/$"))
    assert operator.locator(".alert-success").inner_text().startswith("已受理，编号")
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == district.dept_urban
    assert "138****1234" in operator.content() and "13800001234" not in operator.content()

    # 2. The unit's handler signs for it and feeds back.
    handler = log_in(browser, base, "handler")
    assert handler.locator('[data-bucket="pending_sign"] .sz-count').inner_text() == "1"
    handler.screenshot(path=str(output_dir / "workbench-handler.png"), full_page=True)
    handler.click(f"text={appeal.tracking_no}")
    handler.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
    handler.click('[data-action-submit="sign"]')
    wait_for_success(handler, "已签收")
    form = open_action(handler, "feedback")
    form.locator("textarea").fill("已更换灯泡，路灯恢复照明。")
    form.locator("input[name='resolved'][value='yes']").check()
    form.locator('[data-action-submit="feedback"]').click()
    wait_for_success(handler, "已提交处置反馈")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FEEDBACK

    # 3. The centre replies, then follows up: satisfied → closed.
    operator.goto(f"{base}/console/appeals/{appeal.pk}/")
    form = open_action(operator, "reply")
    assert form.locator("textarea").input_value() == "已更换灯泡，路灯恢复照明。"  # prefilled from the feedback
    form.locator("textarea").fill("您反映的路灯问题已由城管局修复，感谢您的监督。")
    form.locator('[data-action-submit="reply"]').click()
    wait_for_success(operator, "已统一答复")
    form = open_action(operator, "follow_up")
    form.locator("input[name='rating'][value='satisfied']").check()
    form.locator("input[name='resolved'][value='yes']").check()
    form.locator('[data-action-submit="follow_up"]').click()
    wait_for_success(operator, "诉求已办结")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED
    assert appeal.rating == "satisfied"

    # 4. The timeline shows each step, with who and when.
    timeline = operator.locator("#timeline")
    kinds = timeline.locator("li").evaluate_all("items => items.map(li => li.dataset.event)")
    for kind in ("received", "accepted", "dispatched", "signed", "feedback", "replied", "followed_up", "closed"):
        assert kind in kinds, kind
    text = timeline.inner_text()
    for label in ("登记", "受理", "派遣", "签收", "处置反馈", "统一答复", "回访", "办结"):
        assert label in text
    assert "区城市管理综合执法局" in text
    assert operator.locator("#appeal-state").inner_text().strip() == "已办结"
    operator.screenshot(path=str(output_dir / "appeal-detail.png"), full_page=True)
    assert (output_dir / "appeal-detail.png").stat().st_size > 10_000
