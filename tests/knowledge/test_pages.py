"""政策问答 for citizens (works without JavaScript) and the console's article administration."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from shanzhi.knowledge.models import Article
from shanzhi.knowledge.selectors import article_search

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-01 10:00:00+08:00", tick=False)
def test_citizen_search_topics_and_article(seeded, client):
    html = client.get(reverse("knowledge_portal:index"), {"q": "公租房怎么申请"}).content.decode()
    article = Article.objects.get(code="ZCJD-ZJ-001")
    assert f'href="{reverse("knowledge_portal:article", args=[article.pk])}"' in html
    assert "<mark>" in html and "<script" not in html.split("</main>")[0]
    topics = client.get(reverse("knowledge_portal:index")).content.decode()
    assert "城乡建设" in topics
    topic = client.get(reverse("knowledge_portal:topic", args=["01"])).content.decode()
    assert article.title in topic
    page = client.get(reverse("knowledge_portal:article", args=[article.pk])).content.decode()
    assert article.summary in page and "演示数据" in page


@time_machine.travel("2026-12-01 10:00:00+08:00", tick=False)
def test_citizens_never_see_drafts_or_expired_articles(seeded, client):
    expired = Article.objects.get(code="ZCJD-GR-002")
    assert client.get(reverse("knowledge_portal:article", args=[expired.pk])).status_code == 404
    Article.objects.filter(code="ZCJD-MZ-001").update(is_published=False)
    draft = Article.objects.get(code="ZCJD-MZ-001")
    assert client.get(reverse("knowledge_portal:article", args=[draft.pk])).status_code == 404


@time_machine.travel("2026-12-01 10:00:00+08:00", tick=False)
def test_editors_create_and_publish_operators_only_read(seeded, district, make_user, login):
    operator = login(make_user(district.centre, "operator"))
    assert operator.get(reverse("knowledge:list")).status_code == 200
    assert operator.get(reverse("knowledge:new")).status_code == 403
    editor = login(make_user(district.centre, "dispatcher"))
    data = {
        "code": "ZCJD-TEST-01",
        "title": "共享单车乱停放怎么反映",
        "summary": "共享单车乱停放可拨打热线反映，由运营企业限时清理。",
        "body": "共享单车由运营企业负责调度和清理。",
        "keywords": "共享单车 乱停放",
        "valid_from": "2026-01-01",
        "valid_to": "",
    }
    response = editor.post(reverse("knowledge:new"), data)
    assert response.status_code == 302
    article = Article.objects.get(code="ZCJD-TEST-01")
    assert not article.is_published and article_search(query="共享单车乱停") == []
    editor.post(reverse("knowledge:publish", args=[article.pk]))
    assert article_search(query="共享单车乱停")[0].article == article
    listing = editor.get(reverse("knowledge:list"), {"q": "共享单车"}).content.decode()
    assert "共享单车乱停放怎么反映" in listing


def test_validity_dates_must_be_in_order(seeded, district, make_user, login):
    editor = login(make_user(district.centre, "leader"))
    response = editor.post(
        reverse("knowledge:new"),
        {
            "code": "X-1",
            "title": "标题",
            "summary": "答复",
            "body": "正文",
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
        },
    )
    assert response.status_code == 422 and not Article.objects.filter(code="X-1").exists()


def test_load_seed_command(district, capsys):
    from django.core.management import call_command

    call_command("knowledge", "load_seed")
    assert "知识库：新增" in capsys.readouterr().out
    assert Article.objects.filter(is_published=True).count() >= 30


def test_staff_without_a_role_read_no_drafts(seeded, district, make_user, login):
    """Drafts and expired articles are working papers: an account without a role (not yet set up) gets 403."""
    from django.urls import reverse

    from shanzhi.knowledge.models import Article

    nobody = login(make_user(district.centre))
    draft = Article.objects.filter(is_published=False).first() or Article.objects.first()
    assert draft is not None
    assert nobody.get(reverse("knowledge:list")).status_code == 403
    assert nobody.get(reverse("knowledge:detail", args=[draft.pk])).status_code == 403
    assert login(make_user(district.centre, "operator")).get(reverse("knowledge:list")).status_code == 200
