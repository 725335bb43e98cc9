"""The dead-letter desk in the system Chromium: a message given up while the city was down is resent from the
console and delivered; a screenshot is left in test-output/."""

from __future__ import annotations

import pytest
from django.test import Client

from shanzhi.core import clock
from shanzhi.exchange.delivery import deliveries_send
from shanzhi.exchange.models import Delivery, DeliveryState
from shanzhi.exchange.services import order_receive

from .conftest import order


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resend_a_dead_letter_from_the_console(live_server, exchange, city, browser, output_dir, settings):
    settings.SHANZHI = {**settings.SHANZHI, "EXCHANGE_MAX_ATTEMPTS": 1}
    city.down = True
    city_order, _ = order_receive(actor=exchange.city_user, order=order())
    deliveries_send(now=clock.now())
    row = Delivery.objects.get()
    assert row.state == DeliveryState.DEAD
    city.down = False
    client = Client()
    client.force_login(exchange.dispatcher)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/exchange/")
        dead = page.locator("#dead-letters tbody tr")
        assert dead.count() == 1 and city_order.appeal.tracking_no in dead.first.inner_text()
        assert page.inner_text('[data-count="dead"]') == "1"
        page.screenshot(path=str(output_dir / "exchange_dead_letters.png"), full_page=True)
        dead.first.get_by_role("button", name="重发").click()
        page.wait_for_selector("text=已重新排队发送")
        assert page.locator("#dead-letters").count() == 0
    finally:
        context.close()
    # Resent from the page: delivered right after the commit, once.
    assert Delivery.objects.get().state in (DeliveryState.PENDING, DeliveryState.SENT)
    deliveries_send(now=clock.now())
    assert Delivery.objects.get().state == DeliveryState.SENT
    assert city.message_ids() == [str(row.uid)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_runs_under_the_content_security_policy(live_server, exchange, city, browser):
    city.down = True
    order_receive(actor=exchange.city_user, order=order())
    client = Client()
    client.force_login(exchange.dispatcher)
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push("
        "`${e.violatedDirective} ${e.blockedURI || 'inline'}`));"
    )
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        response = page.goto(f"{live_server.url}/console/exchange/")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
