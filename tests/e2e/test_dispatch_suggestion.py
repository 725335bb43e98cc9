"""A dispatcher accepts a routing suggestion in a real browser: 按此派单 on the first suggestion dispatches the appeal
to the suggested unit, and the timeline shows it. The suggestions are set through the ORM, so the test does not depend
on the classifier."""

from __future__ import annotations

import re

import pytest

from shanzhi.appeals.intake import appeal_intake
from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.routing.models import Category, DispatchRule

PASSWORD = "pass-1234-word"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_accepts_a_suggestion(live_server, browser, district, make_user, output_dir, monkeypatch):
    monkeypatch.setattr("shanzhi.routing.classifier.store.current_version", lambda: None)
    base = live_server.url
    build = Category.objects.create(code="01", name="城乡建设")
    prop = Category.objects.create(code="0102", name="物业管理", parent=build)
    prop_service = Category.objects.create(code="010201", name="物业服务", parent=prop)
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    rule = DispatchRule.objects.create(category=prop, lead_unit=None, territorial_level="town")
    DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban)
    operator = make_user(district.centre, "operator", username="operator")
    make_user(district.centre, "dispatcher", username="dispatcher")

    appeal = appeal_intake(
        actor=operator,
        channel="hotline",
        content="清泉小区物业不给修楼道灯，找了好几次都推脱。",
        citizen_name="李四",
        citizen_phone="13900004321",
        area=district.grid_b,
    ).appeal
    assert appeal.state == AppealState.ACCEPTED and appeal.category_id is None
    explanation = (
        f"城乡建设/物业管理/物业服务 0.58 by model v3；网格 清泉社区第1网格 → 新华街道；派单目录第 {rule.pk} 条"
    )
    Appeal.objects.filter(pk=appeal.pk).update(
        routing_suggestions=[
            {
                "category_id": prop_service.pk,
                "path": prop_service.path,
                "score": 0.58,
                "model": "v3",
                "lead_unit_id": district.town_b.pk,
                "lead_unit_name": district.town_b.name,
                "assisting": [],
                "explanation": explanation,
            },
            {
                "category_id": road_light.pk,
                "path": road_light.path,
                "score": 0.31,
                "model": "v3",
                "lead_unit_id": district.dept_urban.pk,
                "lead_unit_name": district.dept_urban.name,
                "assisting": [],
                "explanation": "城乡建设/市政设施/路灯损坏 0.31 by model v3；派单目录第 2 条",
            },
        ]
    )

    # Reduced motion: Bootstrap then opens the action accordions without a transition to race with.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")

    # The 待派单 list shows the top suggestion with its score.
    page.click("text=派单")
    row = page.locator(f'tr[data-appeal="{appeal.pk}"]')
    assert "城乡建设/物业管理/物业服务" in row.inner_text() and "0.58" in row.inner_text()

    # The dispatcher opens the appeal and reads the suggestions with their explanations.
    page.click(f"text={appeal.tracking_no}")
    page.wait_for_url(re.compile(rf".*/console/appeals/{appeal.pk}/$"))
    first = page.locator('[data-suggestion="0"]')
    assert "网格 清泉社区第1网格 → 新华街道" in first.inner_text()
    assert page.locator('[data-suggestion="1"]').is_visible()
    page.screenshot(path=str(output_dir / "dispatch-suggestion.png"), full_page=True)

    first.locator('[data-suggestion-submit="0"]').click()
    page.wait_for_selector(".alert-success >> text=已按建议派遣至 新华街道")
    assert page.locator("#appeal-state").inner_text().strip() == "已派遣"
    dispatched = page.locator('#timeline li[data-event="dispatched"]')
    assert dispatched.count() == 1
    assert "新华街道" in dispatched.inner_text()
    assert page.locator("#routing-suggestions").count() == 0

    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.category == prop_service
    assert appeal.lead_unit == district.town_b
    assert "按系统建议派单" in appeal.routing_explanation and "by model v3" in appeal.routing_explanation
    context.close()
