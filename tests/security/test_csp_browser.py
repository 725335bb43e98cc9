"""The Content-Security-Policy in a real browser (system Chromium): every page the centre's staff and citizens open
runs with no script refused — there is no inline script and no eval anywhere — and an injected inline script is
refused. Styles are held to ``'self'`` too (no ``unsafe-inline``): a refused style is a failure like a script."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import scene_create, staff
from .test_scope_matrix import _record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
    {directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition, sample: e.sample}));
"""


def test_pages_run_under_the_policy_and_an_injected_script_is_refused(browser, live_server, desk):
    scene = scene_create(desk)
    user = staff(desk.district.centre, "admin", "csp-admin")
    user.set_password("csp-pass-1234")
    user.save()
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("console:login"))
    page.fill("input[name=username]", "csp-admin")
    page.fill("input[name=password]", "csp-pass-1234")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    paths = [
        reverse("console:workbench"),
        reverse("console:appeal", args=[scene.appeal.pk]),
        reverse("console:intake"),
        reverse("reports:index"),
        reverse("reports:dashboard"),
        reverse("knowledge:list"),
        reverse("admin:index"),
        reverse("admin:appeals_appeal_changelist"),
        reverse("admin:core_auditentry_changelist"),
        reverse("portal:home"),
        reverse("portal:submit"),
        reverse("portal:signin"),
        reverse("knowledge_portal:index"),
    ]
    enforced, reported = [], 0
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        enforced += [(path, v) for v in violations if v["disposition"] == "enforce"]
        reported += sum(1 for v in violations if v["disposition"] == "report")
    assert enforced == []
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any(v["directive"].startswith("script-src") for v in page.evaluate("window.__csp"))
    _record("csp", pages=len(paths), enforced_violations=len(enforced), style_reports=reported)
    context.close()
