"""政策问答 for citizens: search, topics and articles — only what is published and valid today. No JavaScript needed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shanzhi.core.errors import NotFound
from shanzhi.knowledge import selectors
from shanzhi.routing.models import Category


def index(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    hits = selectors.article_search(query=query, limit=20) if query else []
    context = {"tab": "kb", "q": query, "hits": hits, "topics": [] if query else selectors.article_categories()}
    return render(request, "knowledge/portal_index.html", context)


def topic(request: HttpRequest, code: str) -> HttpResponse:
    top = get_object_or_404(Category, code=code, level=1, is_active=True)
    articles = selectors.articles_in_topic(top=top).order_by("code")
    return render(request, "knowledge/portal_topic.html", {"tab": "kb", "topic": top, "articles": articles})


def article(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.article_get_visible(pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "knowledge/portal_article.html", {"tab": "kb", "article": found})
