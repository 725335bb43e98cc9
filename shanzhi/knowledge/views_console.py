"""知识库 in the console: every staff member reads and searches; editors create, change, publish and withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core.errors import ShanzhiError
from shanzhi.knowledge import selectors
from shanzhi.knowledge.forms import ArticleForm
from shanzhi.knowledge.models import Article
from shanzhi.knowledge.services import article_publish, article_save, may_edit_articles
from shanzhi.orgs.models import User

STATES = (("", "全部"), ("published", "有效"), ("draft", "草稿"), ("expired", "已过期"))


def _user(request: HttpRequest) -> User:
    """The staff member, who must hold a role: drafts and expired articles are the centre's working papers."""
    user = request.user
    assert isinstance(user, User)
    if not (user.is_superuser or user.role_codes):
        raise DjangoPermissionDenied
    return user


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = (request.GET.get("q") or "").strip()[:100]
    state = request.GET.get("state", "")
    articles = selectors.articles_for_console(query=query, state=state)
    context = {
        "nav_active": "knowledge",
        "articles": list(articles[:200]) if not isinstance(articles, list) else articles,
        "q": query,
        "state": state,
        "states": [(code, _(label)) for code, label in STATES],
        "may_edit": may_edit_articles(user),
        "today": selectors.today(),
    }
    return render(request, "knowledge/console_list.html", context)


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    article = get_object_or_404(Article.objects.select_related("category", "owner"), pk=pk)
    context = {
        "nav_active": "knowledge",
        "article": article,
        "may_edit": may_edit_articles(user),
        "visible": article.is_visible_on(selectors.today()),
    }
    return render(request, "knowledge/console_detail.html", context)


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    if not may_edit_articles(user):
        raise DjangoPermissionDenied
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = article_save(actor=user, article=article, **values)
        except ShanzhiError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已保存“%(title)s”") % {"title": saved.title})
            return redirect("knowledge:detail", pk=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "knowledge/console_form.html",
        {"nav_active": "knowledge", "form": form, "article": article},
        status=status,
    )


@login_required
@require_POST
def article_publish_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    article = get_object_or_404(Article, pk=pk)
    try:
        article_publish(actor=user, article=article, published=not article.is_published)
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已发布") if article.is_published else _("已撤回"))
    return redirect("knowledge:detail", pk=pk)
