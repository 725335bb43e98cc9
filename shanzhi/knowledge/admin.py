from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shanzhi.knowledge.models import Article
from shanzhi.knowledge.services import EDITABLE_FIELDS, article_save


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "category", "owner", "valid_from", "valid_to", "is_published", "times_used")
    list_filter = ("is_published", "is_demo", "owner")
    search_fields = ("code", "title", "keywords")
    autocomplete_fields = ()
    raw_id_fields = ("category", "owner")
    readonly_fields = ("times_used", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        """Through the service, so that the search index follows every edit."""
        values = {name: getattr(obj, name) for name in EDITABLE_FIELDS if name in form.cleaned_data}
        saved = article_save(actor=None, article=obj if change else None, **values)
        obj.pk = saved.pk
