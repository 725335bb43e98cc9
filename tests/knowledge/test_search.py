"""Chinese full-text search over the knowledge base: relevance, validity dates, drafts, re-indexing on change."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.knowledge import search
from shanzhi.knowledge.models import Article, ArticleToken
from shanzhi.knowledge.selectors import article_search
from shanzhi.knowledge.services import article_save

from .conftest import SEED_DAY

pytestmark = pytest.mark.django_db


def top_codes(query: str, day: dt.date = SEED_DAY, n: int = 3) -> list[str]:
    return [hit.article.code for hit in article_search(query=query, day=day, limit=n)]


def test_tokens_mix_words_and_bigrams_without_stopwords():
    tokens = search.query_tokens("请问公租房怎么申请？")
    assert "公租房" in tokens and "申请" in tokens
    assert "请问" not in tokens and "怎么" not in tokens
    assert "~公租" in tokens  # the bigram, kept apart from words
    weights = search.article_tokens({"title": "公租房申请", "keywords": "", "summary": "", "body": "申请 申请"})
    assert weights["公租房"] > 0 and weights["~租房"] > 0
    assert weights["申请"] > weights["公租房"]  # in the title and twice in the body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("公租房怎么申请", "ZCJD-ZJ-001"),
        ("家里暖气不热怎么办", "ZCJD-GR-001"),
        ("楼上漏水邻居不管，能调解吗", "ZCJD-SF-002"),
        ("去外地看病能直接报销吗", "ZCJD-YB-002"),
        ("有人在楼道里给电动车充电", "ZCJD-GA-002"),
        ("低保怎么申请", "ZCJD-MZ-001"),
        ("老板拖欠工资不给", "ZCJD-RS-003"),
        ("遛狗不拴绳", "ZCJD-CG-001"),
        ("８０岁老人有什么补贴", "ZCJD-MZ-003"),  # full-width digits are normalised
    ],
)
def test_chinese_queries_find_the_right_article_first(seeded, query, expected):
    assert top_codes(query)[0] == expected


def test_unrelated_or_empty_query_finds_nothing(seeded):
    assert top_codes("") == []
    assert top_codes("量子计算机芯片") == []


def test_validity_dates_are_respected(seeded):
    # The 2025-26 heating season article expired on 2026-04-30; the 2026-27 one starts on 2026-10-01.
    in_season = top_codes("采暖季供热时间", day=dt.date(2026, 12, 1), n=10)
    assert "ZCJD-GR-001" in in_season and "ZCJD-GR-002" not in in_season
    last_winter = top_codes("采暖季供热时间", day=dt.date(2025, 12, 1), n=10)
    assert "ZCJD-GR-002" in last_winter and "ZCJD-GR-001" not in last_winter
    # The last valid day is included.
    assert "ZCJD-GR-002" in top_codes("采暖季供热时间", day=dt.date(2026, 4, 30), n=10)
    article = Article.objects.get(code="ZCJD-GR-001")
    assert article.is_visible_on(dt.date(2027, 4, 30)) and not article.is_visible_on(dt.date(2027, 5, 1))


def test_drafts_are_hidden_unless_asked_for(seeded):
    article = Article.objects.get(code="ZCJD-ZJ-001")
    article_save(actor=None, article=article, is_published=False)
    assert "ZCJD-ZJ-001" not in top_codes("公租房怎么申请", n=10)
    hidden = article_search(query="公租房怎么申请", day=SEED_DAY, include_hidden=True)
    assert hidden[0].article.code == "ZCJD-ZJ-001"


def test_saving_an_article_reindexes_it(seeded):
    article = Article.objects.get(code="ZCJD-CG-001")
    article_save(actor=None, article=article, title="犬只管理和狂犬疫苗接种", keywords="疫苗 犬只")
    assert ArticleToken.objects.filter(article=article, token="疫苗").exists()
    assert top_codes("狂犬疫苗在哪打")[0] == "ZCJD-CG-001"


def test_category_of_the_call_lifts_its_articles(seeded):
    from shanzhi.routing.models import Category

    plain = article_search(query="怎么申请补贴", day=SEED_DAY, limit=5)
    housing = Category.objects.get(code="0101")  # 住房保障: the article's category 公租房申请 lies under it
    lifted = article_search(query="怎么申请补贴", day=SEED_DAY, category=housing, limit=5)
    rank_plain = [h.article.code for h in plain].index("ZCJD-ZJ-001")
    rank_lifted = [h.article.code for h in lifted].index("ZCJD-ZJ-001")
    assert rank_lifted < rank_plain
    assert lifted[rank_lifted].score > plain[rank_plain].score


def test_snippet_is_escaped_and_highlighted(seeded):
    Article.objects.filter(code="ZCJD-MZ-001").update(summary="<b>低保</b> 申请")
    article_save(actor=None, article=Article.objects.get(code="ZCJD-MZ-001"))
    hit = article_search(query="低保", day=SEED_DAY)[0]
    assert "&lt;b&gt;" in hit.snippet and "<mark>低保</mark>" in hit.snippet


def test_seed_load_is_idempotent_and_links_what_exists(seeded):
    from shanzhi.knowledge.seed import seed_load

    assert seeded.created >= 30 and seeded.updated == 0
    again = seed_load()
    assert again.created == 0 and again.updated == seeded.created
    assert Article.objects.get(code="ZCJD-ZJ-001").category.code == "010101"
    assert Article.objects.get(code="ZCJD-MZ-001").owner.code == "D-MZ"
    assert Article.objects.filter(is_demo=True).count() == seeded.created
