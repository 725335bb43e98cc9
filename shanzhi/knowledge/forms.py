"""The console's article form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.knowledge.models import Article
from shanzhi.knowledge.services import EDITABLE_FIELDS
from shanzhi.orgs.models import TERRITORIAL_KINDS, Unit
from shanzhi.routing.models import Category


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        # What the service lets editors change, but the demo flag: only the demo loader sets it.
        fields = [name for name in EDITABLE_FIELDS if name != "is_demo"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        owner = self.fields["owner"]
        assert isinstance(category, forms.ModelChoiceField) and isinstance(owner, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(is_active=True).order_by("path")
        category.label_from_instance = lambda c: c.path  # type: ignore[method-assign,assignment]
        owner.queryset = Unit.objects.filter(is_active=True).exclude(kind__in=TERRITORIAL_KINDS).order_by("code")
        owner.label = _("主管部门")
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
