"""The Content-Security-Policy holds in a real browser: the console's and the portal's pages, their scripts (htmx,
Leaflet, ECharts, the app scripts) and styles run without one violation, and every page Django renders says
``no-store``. A template that grows an inline script or style fails here."""

from __future__ import annotations

import pytest
from desk import PASSWORD
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile || ""}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${where}`);
});
"""


def _visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"], url
    page.wait_for_load_state("networkidle")
    return list(page.evaluate("window.__cspViolations"))


def test_console_and_portal_pages_run_under_the_policy(live_server, browser, desk, intake):
    appeal = intake()
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.add_init_script(LISTEN)
    console_errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", desk.leader.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    violations: dict[str, list[str]] = {}
    for name, args in [
        ("console:workbench", []),
        ("console:appeal", [appeal.pk]),
        ("console:intake", []),
        ("console:supervision", []),
        ("console:hotspots", []),
        ("reports:index", []),
        ("reports:weekly", []),
        ("reports:monthly", []),
        ("reports:dashboard", []),
        ("portal:home", []),
        ("portal:track", []),
        ("portal:signin", []),
    ]:
        found = _visit(page, base + reverse(name, args=args))
        if found:
            violations[name] = found
    context.close()
    assert violations == {} and console_errors == []
