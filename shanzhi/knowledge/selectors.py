"""Reads of the knowledge base: search (the inverted index), lists for the console and the portal."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shanzhi.core import clock
from shanzhi.core.errors import NotFound
from shanzhi.knowledge import search
from shanzhi.knowledge.models import Article, ArticleToken, visible_on
from shanzhi.routing.models import Category

MAX_QUERY_CHARS = 400
# A token in more than this share of the articles says little about any of them (and would fetch too many rows).
COMMON_TOKEN_SHARE = 0.2
CATEGORY_BOOST = 1.3


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    score: float
    snippet: SafeString


def today() -> dt.date:
    return clock.local_date(clock.now())


def articles_visible(day: dt.date | None = None) -> QuerySet[Article]:
    """Published articles valid on ``day`` (today at the centre by default)."""
    return Article.objects.filter(visible_on(day or today()))


def article_search(
    *,
    query: str,
    day: dt.date | None = None,
    limit: int = 10,
    category: Category | None = None,
    include_hidden: bool = False,
) -> list[ArticleHit]:
    """Articles matching a Chinese query, best first. By default only what is published and valid on ``day``;
    ``include_hidden`` (the console's article list) searches drafts and expired articles too."""
    tokens = search.query_tokens((query or "")[:MAX_QUERY_CHARS])
    if not tokens:
        return []
    total = Article.objects.count()
    frequency = dict(
        ArticleToken.objects.filter(token__in=tokens).values_list("token").annotate(n=Count("id")).order_by()
    )
    ceiling = max(50, int(total * COMMON_TOKEN_SHARE))
    kept = [t for t in tokens if 0 < frequency.get(t, 0) <= ceiling]
    if not kept:
        return []
    postings = ArticleToken.objects.filter(token__in=kept)
    if not include_hidden:
        day = day or today()
        postings = postings.filter(
            Q(article__is_published=True)
            & (Q(article__valid_from__isnull=True) | Q(article__valid_from__lte=day))
            & (Q(article__valid_to__isnull=True) | Q(article__valid_to__gte=day))
        )
    rows = postings.values_list("article_id", "token", "weight")
    ranked = search.rank(rows.iterator(chunk_size=2000), frequency, total, limit=limit * 3 if category else limit)
    if not ranked:
        return []
    articles = Article.objects.select_related("category", "owner").in_bulk([aid for aid, _score in ranked])
    if category is not None:
        ranked = sorted(
            ((aid, score * (CATEGORY_BOOST if _related(articles[aid], category) else 1.0)) for aid, score in ranked),
            key=lambda item: (-item[1], item[0]),
        )[:limit]
    terms = [t.lstrip("~") for t in kept]
    return [
        ArticleHit(articles[aid], round(score, 3), highlight(articles[aid].summary, terms))
        for aid, score in ranked
        if aid in articles
    ]


def _related(article: Article, category: Category) -> bool:
    """The article's category is the call's category, one of its ancestors or one of its descendants."""
    own = article.category
    if own is None:
        return False
    return (
        own.path == category.path
        or own.path.startswith(f"{category.path}/")
        or category.path.startswith(f"{own.path}/")
    )


def highlight(text: str, terms: list[str], *, length: int = 90) -> SafeString:
    """An escaped excerpt of ``text`` around the first matched term, the matched terms wrapped in <mark>."""
    lowered = search.normalize(text)
    positions = [lowered.find(t) for t in terms if t and lowered.find(t) >= 0]
    start = max(0, min(positions) - 20) if positions else 0
    excerpt = text[start : start + length]
    html = str(escape(excerpt))
    longest_first = sorted({escape(t) for t in terms if len(t) >= 2}, key=len, reverse=True)
    if longest_first:
        pattern = re.compile("|".join(re.escape(t) for t in longest_first))
        html = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", html)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + html + suffix)


def article_get_visible(*, pk: int, day: dt.date | None = None) -> Article:
    """A published, currently valid article (citizens and operators); NotFound otherwise."""
    article = articles_visible(day).select_related("category", "owner").filter(pk=pk).first()
    if article is None:
        raise NotFound()
    return article


def articles_for_console(*, query: str = "", state: str = "") -> QuerySet[Article] | list[Article]:
    """The console's article list: everything, filtered by a search and a state (published/draft/expired)."""
    day = today()
    qs = Article.objects.select_related("category", "owner").order_by("-updated_at")
    if state == "published":
        qs = qs.filter(visible_on(day))
    elif state == "draft":
        qs = qs.filter(is_published=False)
    elif state == "expired":
        qs = qs.filter(valid_to__lt=day)
    if query.strip():
        hits = article_search(query=query, include_hidden=True, limit=100)
        ids = set(qs.filter(pk__in=[h.article.pk for h in hits]).values_list("pk", flat=True))
        return [h.article for h in hits if h.article.pk in ids]
    return qs


def article_categories(day: dt.date | None = None) -> list[tuple[Category, int]]:
    """Level-1 categories with the number of visible articles under them (the portal's topic list)."""
    counts: dict[str, int] = {}
    for path in articles_visible(day).exclude(category=None).values_list("category__path", flat=True):
        top = path.split("/")[0]
        counts[top] = counts.get(top, 0) + 1
    tops = Category.objects.filter(level=1, name__in=counts).order_by("sort", "code")
    return [(cat, counts[cat.name]) for cat in tops]


def articles_in_topic(*, top: Category, day: dt.date | None = None) -> QuerySet[Article]:
    return (
        articles_visible(day)
        .filter(Q(category=top) | Q(category__path__startswith=f"{top.path}/"))
        .select_related("owner")
    )
