"""In a real browser: the leader presses the lead unit from the appeal page and urges; the unit's handler finds the
order on the work bench and replies; the leader closes it."""

from __future__ import annotations

import pytest
from desk import PASSWORD

from shanzhi.supervision.models import SupervisionOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    return context, page


def test_the_leader_issues_and_urges_the_handler_replies_the_leader_closes(
    live_server, browser, scene, output_dir
) -> None:
    base = live_server.url
    leader_context, leader = _page_as(browser, base, scene.leader.username)
    handler_context, handler = _page_as(browser, base, scene.handler.username)
    try:
        leader.goto(f"{base}/console/appeals/{scene.appeal.pk}/")
        leader.wait_for_url(f"{base}/console/appeals/{scene.appeal.pk}/")
        form = leader.locator("form[data-supervise-form]")
        form.locator("#id_supervise_assignment").select_option(str(scene.lead.pk))
        form.locator("#id_supervise_level").select_option("yellow")
        form.locator("#id_supervise_reason").fill("群众多次来电，请加快修复路灯")
        form.locator('[data-action-submit="supervise"]').click()
        leader.wait_for_url(f"{base}/console/supervision-orders/*/")
        order = SupervisionOrder.objects.get()
        assert leader.locator("#order-reason").inner_text() == "群众多次来电，请加快修复路灯"

        leader.fill("#id_urge_note", "请今天下班前回复")
        leader.click('[data-step-submit="urge"]')
        leader.wait_for_url(f"{base}/console/supervision-orders/{order.pk}/")
        leader.wait_for_selector(".alert-success")
        assert leader.locator('#order-state [data-level="red"]').count() == 1
        assert "请今天下班前回复" in leader.locator("#order-urges").inner_text()

        handler.goto(f"{base}/console/?view=unit")
        handler.wait_for_url(f"{base}/console/?view=unit")
        counter = handler.locator('[data-bucket="supervision"]')
        assert counter.locator(".sz-count").inner_text() == "1"
        counter.click()
        handler.wait_for_url(f"{base}/console/supervision-orders/?mine=1&state=open")
        handler.click(f'tr[data-order="{order.pk}"] a[href$="/supervision-orders/{order.pk}/"]')
        handler.wait_for_url(f"{base}/console/supervision-orders/{order.pk}/")
        assert handler.locator('[data-order-step="urge"]').count() == 0
        handler.fill("#id_reply_reply", "已更换灯泡，路灯恢复照明")
        handler.click('[data-step-submit="reply"]')
        handler.wait_for_url(f"{base}/console/supervision-orders/{order.pk}/")
        handler.wait_for_selector(".alert-success")
        assert handler.locator('#order-state [data-order-state="replied"]').count() == 1
        assert handler.locator("#order-reply").inner_text() == "已更换灯泡，路灯恢复照明"
        handler.screenshot(path=str(output_dir / "supervision-order-replied.png"), full_page=True)

        leader.goto(f"{base}/console/supervision-orders/{order.pk}/")
        leader.wait_for_url(f"{base}/console/supervision-orders/{order.pk}/")
        assert leader.locator('[data-order-step="reject"]').count() == 1
        leader.fill("#id_close_note", "回复满意")
        leader.click('[data-step-submit="close"]')
        leader.wait_for_url(f"{base}/console/supervision-orders/{order.pk}/")
        leader.wait_for_selector(".alert-success")
        assert leader.locator('#order-state [data-order-state="closed"]').count() == 1
        order.refresh_from_db()
        assert (order.state, order.urge_count, order.reply) == ("closed", 1, "已更换灯泡，路灯恢复照明")

        leader.goto(f"{base}/console/appeals/{scene.appeal.pk}/")
        leader.wait_for_url(f"{base}/console/appeals/{scene.appeal.pk}/")
        assert leader.locator(f'#supervision-panel [data-order="{order.pk}"] [data-order-state="closed"]').count() == 1
        assert leader.locator('#timeline li[data-event="supervised"]').count() == 4  # issued, urged, replied, closed
        leader.screenshot(path=str(output_dir / "supervision-appeal-panel.png"), full_page=True)
    finally:
        leader_context.close()
        handler_context.close()
