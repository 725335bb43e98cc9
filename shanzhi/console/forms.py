"""The hotline intake form: parse and validate the operator's input; the rules stay in ``appeals.intake``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import AppealType, Channel
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.routing.models import Category, Urgency

INTAKE_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.CITY_12345, Channel.LETTER, Channel.WEB)
MAX_FILES = 10


def translated(choices: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """Model choices with their Chinese labels looked up in the catalogue (see ``console.labels``)."""
    return [(value, _(label)) for value, label in choices]


def category_choices() -> list[tuple[str, Any]]:
    """Active level-2 and level-3 categories, grouped under their level-1 name (for an ``<optgroup>`` select)."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cat in Category.objects.filter(is_active=True, level__gte=2).order_by("path"):
        top, _sep, rest = cat.path.partition("/")
        groups[top].append((str(cat.pk), rest))
    return [("", _("—— 请选择分类 ——")), *[(top, options) for top, options in groups.items()]]


def area_choices() -> list[tuple[str, Any]]:
    """Active communities and grids of the district, grouped by town."""
    district = str(settings.SHANZHI["DISTRICT_CODE"])
    units = list(
        Unit.objects.filter(
            kind__in=[UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.GRID],
            is_active=True,
            path__contains=f"/{district}/",
        ).order_by("path")
    )
    names = {u.code: u.name for u in units}
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for unit in units:
        if unit.kind == UnitKind.TOWN:
            continue
        codes = unit.path.strip("/").split("/")
        try:
            town_code = codes[codes.index(district) + 1]
        except (ValueError, IndexError):
            continue
        label = unit.name
        if unit.kind == UnitKind.GRID and unit.parent_id is not None:
            label = f"{names.get(codes[-2], '')} / {unit.name}"
        groups[names.get(town_code, town_code)].append((str(unit.pk), label))
    return [("", _("—— 不指定 ——")), *[(town, options) for town, options in groups.items()]]


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    """Fill a choice field's options at request time (they come from the database)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents; each is checked by ``attachment_add`` (type sniffed, size limited)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(n)s 个附件") % {"n": MAX_FILES})
        single = super().clean
        return [single(f, initial) for f in files]


class IntakeForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=[(c.value, _(c.label)) for c in INTAKE_CHANNELS], initial=Channel.HOTLINE
    )
    citizen_phone = forms.CharField(label=_("来电号码"), max_length=20, required=False)
    citizen_name = forms.CharField(label=_("诉求人姓名"), max_length=50, required=False)
    is_anonymous = forms.BooleanField(label=_("匿名"), required=False)
    wants_reply = forms.BooleanField(label=_("需要回复"), required=False, initial=True)
    appeal_type = forms.ChoiceField(
        label=_("诉求类型"), choices=translated(AppealType.choices), initial=AppealType.HELP
    )
    category = forms.ChoiceField(label=_("诉求分类"), required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=[("", _("按分类默认")), *translated(Urgency.choices)]
    )
    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)
    address = forms.CharField(label=_("事发地址"), max_length=200, required=False)
    area = forms.ChoiceField(label=_("所属社区/网格"), required=False)
    longitude = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    raw_only = forms.BooleanField(
        label=_("仅保存原始记录（稍后补录受理）"), required=False, help_text=_("来电信息不全时先登记，状态为待受理")
    )
    attachments = MultipleFileField(label=_("附件（照片/文档）"), required=False)
    # 以知识库答复: the article the operator adopted, the answer text (prefilled from its 答复口径) and the mode flag.
    kb_article = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kb_answer_mode = forms.BooleanField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )
    # 合并到该诉求: the open appeal (chosen in the 疑似重复来电 panel) that this call repeats; rendered as radios there.
    merge_into = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices())
        set_choices(self, "area", area_choices())
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")
            widget.attrs.setdefault("id", f"id_{name}")
        self.fields["citizen_phone"].widget.attrs.update({"autofocus": True, "inputmode": "tel"})
        self.fields["content"].widget.attrs["data-multiline"] = "1"
        self.fields["answer"].widget.attrs["data-multiline"] = "1"

    def wants_answer(self, action: str | None) -> bool:
        """Answer from the knowledge base (button 答复并办结, or Ctrl+Enter after adopting an article)."""
        if action in ("answer", "register"):
            return action == "answer"
        return bool(self.cleaned_data.get("kb_answer_mode"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("longitude") is None) != (data.get("latitude") is None):
            raise forms.ValidationError(_("经度和纬度须同时填写"))
        # On the hotline the operator picks the category (the catalogue then picks the units); only a raw message
        # or a consultation may be saved without one.
        answering = self.wants_answer(self.data.get("intake_action"))  # answered from the knowledge base
        if (
            not answering
            and not data.get("raw_only")
            and not data.get("category")
            and data.get("appeal_type") != "consultation"
        ):
            self.add_error("category", _("受理诉求须选择分类"))
        return data

    def intake_fields(self) -> dict[str, Any]:
        """The appeal as the intake service takes it; the caller adds the actor and how to register it."""
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "content": data["content"],
            "title": data["title"],
            "category": data["category"] or None,
            "citizen_name": data["citizen_name"],
            "citizen_phone": data["citizen_phone"],
            "is_anonymous": data["is_anonymous"],
            "wants_reply": data["wants_reply"],
            "address": data["address"],
            "longitude": data["longitude"],
            "latitude": data["latitude"],
            "area": self.area_unit(),
            "idempotency_key": data["idempotency_key"],
        }

    def area_unit(self) -> Unit | None:
        value = self.cleaned_data.get("area")
        return Unit.objects.filter(pk=int(value)).first() if value else None
