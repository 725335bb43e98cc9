"""The hotline console's knowledge-base panel and 直接答复: a consultation registered and closed as ``answered`` on
the spot, the article recorded, in one transaction."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from shanzhi.knowledge.models import Article
from shanzhi.routing.models import Category, DispatchRule

pytestmark = pytest.mark.django_db

NOW = "2026-12-01 10:00:00+08:00"


def call(**overrides) -> dict:
    data = {
        "idempotency_key": "call-1",
        "channel": "hotline",
        "citizen_phone": "13800001234",
        "citizen_name": "王小明",
        "wants_reply": "on",
        "appeal_type": "help",
        "category": "",
        "urgency": "",
        "title": "",
        "content": "想问一下公租房怎么申请，需要什么条件",
        "address": "",
        "area": "",
        "longitude": "",
        "latitude": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def operator(district, make_user):
    return make_user(district.centre, "operator", username="op")


@time_machine.travel(NOW, tick=False)
def test_panel_suggests_articles_from_the_call_and_from_a_search(seeded, operator, login):
    client = login(operator)
    page = client.get(reverse("console:intake")).content.decode()
    assert 'id="kb-q"' in page and "Alt+K" in page and 'id="kb-suggestions"' in page
    from_call = client.post(reverse("console:intake"), {"kb": "1", "content": "公租房怎么申请", "kb_q": ""})
    html = from_call.content.decode()
    assert "根据来电内容推荐" in html and "公共租赁住房（公租房）申请条件和办理流程" in html
    assert f'data-kb-adopt="{Article.objects.get(code="ZCJD-ZJ-001").pk}"' in html
    searched = client.post(reverse("console:intake"), {"kb": "1", "content": "公租房", "kb_q": "暖气不热"}).content
    assert "采暖季供热时间" in searched.decode() and "公租房）申请" not in searched.decode()
    assert "没有匹配" in client.post(reverse("console:intake"), {"kb": "1", "kb_q": "量子芯片"}).content.decode()


@time_machine.travel(NOW, tick=False)
def test_answer_from_the_knowledge_base_closes_the_consultation(seeded, operator, login):
    article = Article.objects.get(code="ZCJD-ZJ-001")
    response = login(operator).post(
        reverse("console:intake"),
        call(kb_article=str(article.pk), answer="您好，公租房可向户籍所在社区申请。", intake_action="answer"),
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.ANSWERED
    assert appeal.appeal_type == "consultation" and appeal.channel == "hotline"
    assert appeal.reply_text == "您好，公租房可向户籍所在社区申请。"
    assert appeal.category.code == "010101"  # taken from the article when the operator chose none
    assert appeal.lead_unit is None and not appeal.assignments.exists()
    answered = AppealEvent.objects.get(appeal=appeal, kind=EventKind.ANSWERED)
    assert answered.payload["article"] == article.reference
    assert "已直接答复并办结" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("console:intake")
    article.refresh_from_db()
    assert article.times_used == 1


@time_machine.travel(NOW, tick=False)
def test_ctrl_enter_after_adopting_answers_with_the_article_summary(seeded, operator, login):
    article = Article.objects.get(code="ZCJD-MZ-001")
    login(operator).post(reverse("console:intake"), call(kb_article=str(article.pk), kb_answer_mode="True"))
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.ANSWERED
    assert appeal.reply_text == article.summary


@time_machine.travel(NOW, tick=False)
def test_an_expired_article_cannot_be_used_and_nothing_is_registered(seeded, operator, login):
    expired = Article.objects.get(code="ZCJD-GR-002")
    response = login(operator).post(reverse("console:intake"), call(kb_article=str(expired.pk), intake_action="answer"))
    assert response.status_code == 422
    assert "请先从知识库选择一篇有效的文章" in response.content.decode()
    assert not Appeal.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_repeated_answer_post_does_not_register_twice(seeded, operator, login):
    article = Article.objects.get(code="ZCJD-ZJ-001")
    client = login(operator)
    data = call(kb_article=str(article.pk), intake_action="answer")
    client.post(reverse("console:intake"), data)
    response = client.post(reverse("console:intake"), data, follow=True)
    assert Appeal.objects.count() == 1
    assert "该咨询已答复过" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_register_button_still_registers_normally(seeded, operator, login, district):
    public_housing = Category.objects.get(code="010101")
    DispatchRule.objects.create(category=public_housing, lead_unit=district.dept_housing)
    article = Article.objects.get(code="ZCJD-ZJ-001")
    login(operator).post(
        reverse("console:intake"),
        call(
            kb_article=str(article.pk),
            kb_answer_mode="True",
            intake_action="register",
            category=str(public_housing.pk),
            area=str(district.grid_a.pk),
        ),
    )
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == district.dept_housing


def test_unit_staff_may_not_use_the_intake_panel(seeded, district, make_user, login):
    handler = make_user(district.dept_urban, "handler")
    assert login(handler).get(reverse("console:intake"), {"kb": "1", "kb_q": "低保"}).status_code == 403
