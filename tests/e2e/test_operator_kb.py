"""An operator answers a consultation from the knowledge base, in a real browser (desktop), and it closes as
``answered`` with the article recorded. Keyboard: Alt+K searches, Alt+1 adopts, Alt+D answers."""

from __future__ import annotations

import re

import pytest

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from shanzhi.knowledge.models import Article
from shanzhi.knowledge.seed import seed_load

PASSWORD = "pass-1234-word"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_answers_a_consultation_from_the_knowledge_base(live_server, browser, district, make_user, output_dir):
    seed_load()
    make_user(district.centre, "operator", username="operator")
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    page.goto(f"{base}/console/intake/")

    page.fill("#id_citizen_phone", "13800005678")
    page.fill("#id_content", "我家是低收入家庭，想问问低保怎么申请")
    # Suggestions follow what the operator types.
    page.wait_for_selector("#kb-suggestions >> text=最低生活保障（低保）申请")
    # Alt+K searches the knowledge base directly; Alt+1 adopts the first answer.
    page.keyboard.press("Alt+k")
    assert page.evaluate("document.activeElement.id") == "kb-q"
    page.keyboard.type("低保申请")
    page.wait_for_selector("#kb-suggestions >> text=搜索结果")
    page.keyboard.press("Alt+1")
    page.wait_for_selector("#kb-answer:not([hidden])")
    article = Article.objects.get(code="ZCJD-MZ-001")
    assert page.input_value("#id_answer") == article.summary
    assert page.input_value("#id_appeal_type") == "consultation"
    assert page.locator("#kb-answer-title").inner_text() == article.title
    page.screenshot(path=str(output_dir / "intake-kb.png"), full_page=True)
    page.keyboard.press("Alt+d")
    page.wait_for_selector(".alert-success >> text=已直接答复并办结")
    assert re.search(r"/console/intake/$", page.url)

    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.ANSWERED and appeal.appeal_type == "consultation"
    assert appeal.reply_text == article.summary and appeal.citizen_phone == "13800005678"
    event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.ANSWERED)
    assert event.payload["article"] == article.reference
    assert appeal.tracking_no in page.locator(".alert-success").inner_text()
    context.close()
