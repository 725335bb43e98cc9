"""Two-factor sign-in in a real browser (system Chromium), as an administrator meets it where it is required: the
password leads to enrolment, the QR code is on the page (an SVG drawn by the server, no script or style refused by
the CSP), the first code from the authenticator (computed here from the secret the page shows) turns it on and
shows the recovery codes; the next sign-in asks for a code before the work bench opens."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.urls import reverse

from .conftest import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tf-browser-pass-1234"
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.effectiveDirective));
"""


def authenticator(secret: str, *, steps_ahead: int = 0) -> str:
    """What the phone shows (``steps_ahead`` 30-second steps later: a code is accepted once, one step of drift)."""
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * steps_ahead))


def _sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + reverse("console:login"))
    page.fill("input[name=username]", "tf-browser-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_an_admin_enrols_and_then_signs_in_with_a_code(browser, live_server, desk, settings):
    settings.SHANZHI_TWO_FACTOR_REQUIRED = True
    user = staff(desk.district.centre, "admin", "tf-browser-admin")
    user.set_password(PASSWORD)
    user.save()
    base = live_server.url

    context = browser.new_context(locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base)
    page.wait_for_url(f"**{reverse('console:two_factor')}")
    assert page.locator(".sz-qr svg path").count() == 1
    secret = page.locator("#two-factor-secret").inner_text().strip()
    assert len(secret) >= 16
    page.goto(base + reverse("console:workbench"))  # nothing else opens before enrolment
    page.wait_for_url(f"**{reverse('console:two_factor')}")
    page.fill("input[name=code]", authenticator(secret))
    page.click("button:has-text('启用两步验证')")
    page.wait_for_selector("[data-recovery-codes]")
    assert page.locator("[data-recovery-codes] li").count() == 10
    page.click("text=已保存，进入工作台")
    page.wait_for_url(f"**{reverse('console:workbench')}")
    assert page.evaluate("window.__csp") == []
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base)
    page.wait_for_url(f"**{reverse('console:two_factor_verify')}")
    page.fill("input[name=code]", "000000" if authenticator(secret, steps_ahead=1) != "000000" else "111111")
    page.click("button:has-text('验证并登录')")
    page.wait_for_selector(".alert-danger")
    assert "验证码不正确" in page.locator(".alert-danger").inner_text()
    page.fill("input[name=code]", authenticator(secret, steps_ahead=1))
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(f"**{reverse('console:workbench')}")
    assert page.locator(".sz-topbar").count() == 1
    context.close()
