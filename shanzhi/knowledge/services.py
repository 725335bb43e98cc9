"""Use cases of the knowledge base: save (and index) an article, publish or withdraw it, record its use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.knowledge import search
from shanzhi.knowledge.models import Article, ArticleToken
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.models import Category

EDITABLE_FIELDS = (
    "code",
    "title",
    "summary",
    "body",
    "category",
    "owner",
    "keywords",
    "source",
    "valid_from",
    "valid_to",
    "is_published",
    "is_demo",
)


def may_edit_articles(user: User) -> bool:
    return permissions.may_edit_knowledge(user)


def article_index(*, article: Article) -> int:
    """Rebuild ``article``'s rows of the inverted index; returns the number of tokens."""
    weights = search.article_tokens(
        {"title": article.title, "keywords": article.keywords, "summary": article.summary, "body": article.body}
    )
    with transaction.atomic():
        ArticleToken.objects.filter(article=article).delete()
        ArticleToken.objects.bulk_create(
            [ArticleToken(token=token, article=article, weight=weight) for token, weight in weights.items()],
            batch_size=1000,
        )
    return len(weights)


def articles_reindex() -> int:
    """Rebuild the whole index (after a change of the tokenizer or the domain dictionary)."""
    count = 0
    for article in Article.objects.iterator(chunk_size=200):
        article_index(article=article)
        count += 1
    return count


def _validate(values: dict[str, Any]) -> None:
    for name, message in (("code", _("请填写编号")), ("title", _("请填写标题")), ("summary", _("请填写答复口径"))):
        if not str(values.get(name) or "").strip():
            raise ValidationFailed(message, code=f"{name}_required")
    start: dt.date | None = values.get("valid_from")
    end: dt.date | None = values.get("valid_to")
    if start and end and end < start:
        raise ValidationFailed(_("失效日期不能早于生效日期"), code="validity_reversed")
    owner = values.get("owner")
    if owner is not None and not isinstance(owner, Unit):
        raise ValidationFailed(_("主管部门无效"), code="invalid_owner")
    category = values.get("category")
    if category is not None and not isinstance(category, Category):
        raise ValidationFailed(_("诉求分类无效"), code="invalid_category")
    duplicate = Article.objects.filter(code=str(values["code"]).strip())
    if values.get("pk"):
        duplicate = duplicate.exclude(pk=values["pk"])
    if duplicate.exists():
        raise ValidationFailed(_("编号已被其他文章使用"), code="duplicate_code")


@transaction.atomic
def article_save(*, actor: User | None, article: Article | None = None, **values: Any) -> Article:
    """Create an article or change one; the index follows in the same transaction.

    ``actor`` None is for loaders (the seed set); a person must be an editor.
    """
    if actor is not None and not may_edit_articles(actor):
        raise PermissionDenied(_("您没有维护知识库的权限"), code="knowledge_edit_forbidden")
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("包含无法修改的字段"), code="unknown_fields", fields=sorted(unknown))
    target = article or Article(created_by=actor)
    merged = {name: getattr(target, name) for name in EDITABLE_FIELDS} | values
    merged["pk"] = target.pk
    _validate(merged)
    for name, value in values.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    target.save()
    article_index(article=target)
    return target


def article_publish(*, actor: User, article: Article, published: bool) -> Article:
    """Publish or withdraw (撤回) an article."""
    return article_save(actor=actor, article=article, is_published=published)


def article_record_use(*, article: Article) -> None:
    """Count one use of the article in an answer (the console shows which answers are used most)."""
    Article.objects.filter(pk=article.pk).update(times_used=F("times_used") + 1)
