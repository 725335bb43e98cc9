"""One short form per action on the appeal detail page. They parse input only; the services decide."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.feedback_photos import MAX_PHOTOS_PER_FEEDBACK
from shanzhi.appeals.models import Rating, ReplyTemplate, RequestKind
from shanzhi.console.forms import MultipleFileField, category_choices, set_choices, translated
from shanzhi.orgs.models import Unit, UnitKind

DISPATCHABLE_KINDS = (UnitKind.DEPARTMENT, UnitKind.UTILITY, UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.GRID)
YES_NO = [("yes", _("是")), ("no", _("否"))]


def unit_choices() -> list[tuple[str, Any]]:
    """Units that can be dispatched to, grouped by kind."""
    labels = dict(UnitKind.choices)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for unit in Unit.objects.filter(kind__in=DISPATCHABLE_KINDS, is_active=True, is_virtual=False).order_by(
        "kind", "path"
    ):
        groups[str(_(labels[unit.kind]))].append((str(unit.pk), unit.name))
    return [(group, options) for group, options in groups.items()]


def _text(label: Any, *, required: bool = True, rows: int = 2, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control form-control-sm"}),
    )


def _select(label: Any, choices: Any = (), *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class ActionForm(forms.Form):
    """An action on the appeal detail page. ``version`` is the appeal's version the page was drawn from: a form
    sent from a page that someone else's change made stale gets a conflict instead of overwriting (absent: no
    check, for scripted posts)."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class AcceptForm(ActionForm):
    category = _select(_("诉求分类"), required=False)
    dispatch = forms.BooleanField(label=_("受理后按派单目录派遣"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices())
        self.fields["dispatch"].widget.attrs["class"] = "form-check-input"


class RejectForm(ActionForm):
    reason_code = _select(_("不予受理理由"))
    note = _text(_("补充说明"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shanzhi.appeals.models import RejectReason

        set_choices(
            self,
            "reason_code",
            [
                ("", _("—— 请选择 ——")),
                *RejectReason.objects.filter(is_active=True).values_list("code", "text"),
            ],
        )


class AnswerForm(ActionForm):
    answer = _text(_("答复内容"), rows=4)
    article_ref = forms.CharField(label=_("知识库条目"), required=False, max_length=100)


class RequestInfoForm(ActionForm):
    question = _text(_("需要补充的内容"))


class SupplyInfoForm(ActionForm):
    text = _text(_("补充内容"), rows=3)


class DispatchForm(ActionForm):
    lead_unit = _select(_("主办单位"), required=False)
    assisting_units = forms.MultipleChoiceField(
        label=_("协办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 4}),
    )
    reason = _text(_("派单说明"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_choices()
        set_choices(self, "lead_unit", [("", _("按派单目录")), *units])
        set_choices(self, "assisting_units", units)

    def units(self) -> tuple[Unit | None, list[Unit]]:
        lead_id = self.cleaned_data.get("lead_unit")
        lead = Unit.objects.filter(pk=int(lead_id)).first() if lead_id else None
        ids = [int(v) for v in self.cleaned_data.get("assisting_units") or []]
        return lead, list(Unit.objects.filter(pk__in=ids))


class MergeForm(ActionForm):
    master = forms.CharField(
        label=_("主诉求编号"), max_length=24, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
    reason = _text(_("合并理由"), required=False)


class SignForm(ActionForm):
    """One click: only the page's version."""


class ContactForm(ActionForm):
    note = _text(_("联系情况"))


class FeedbackPhotosField(MultipleFileField):
    """处置照片: up to six pictures of the work (before/after); each is checked by the feedback service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp", "class": "form-control form-control-sm"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f] if data else []
        if len(files) > MAX_PHOTOS_PER_FEEDBACK:
            raise forms.ValidationError(_("每次反馈最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS_PER_FEEDBACK})
        return super().clean(files, initial)


class FeedbackForm(ActionForm):
    text = _text(_("处置情况"), rows=4)
    resolved = forms.ChoiceField(
        label=_("是否解决"),
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="yes",
    )
    photos = FeedbackPhotosField(label=_("处置照片（处置前后，可多张）"), required=False)


class UnitRequestForm(ActionForm):
    kind = _select(_("申请类型"), translated(RequestKind.choices))
    reason = _text(_("申请理由"))
    basis = forms.CharField(
        label=_("职责/权限依据（退回必填）"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    extra_working_days = forms.IntegerField(
        label=_("延期工作日（延期必填）"),
        required=False,
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )


class DecideRequestForm(ActionForm):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("同意")), ("refuse", _("驳回"))])
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class UnshelveForm(ActionForm):
    assignment_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class ReplyForm(ActionForm):
    template = _select(_("答复模板"), required=False)
    text = _text(_("答复内容"), rows=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "template",
            [
                ("", _("—— 不使用模板 ——")),
                *((str(t.pk), t.name) for t in ReplyTemplate.objects.filter(is_active=True).order_by("name")),
            ],
        )
        # console.js fills the text box from the chosen template (bodies rendered into #reply-templates).
        self.fields["template"].widget.attrs.update(
            {"data-reply-templates": "reply-templates", "data-reply-target": "id_reply_text"}
        )


class RedoForm(ActionForm):
    reason = _text(_("重办理由"))


class FollowUpForm(ActionForm):
    reached = forms.ChoiceField(
        label=_("是否联系上"),
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="yes",
    )
    rating = forms.ChoiceField(
        label=_("满意度"),
        choices=translated(Rating.choices),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
    )
    resolved = forms.ChoiceField(
        label=_("是否解决"),
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
    )
    note = _text(_("回访记录"), required=False)


class CloseForm(ActionForm):
    note = _text(_("办结说明"))


class WithdrawForm(ActionForm):
    reason = _text(_("撤销原因"))


class ReopenForm(ActionForm):
    reason = _text(_("重新办理理由"))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看事由"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )


class SuggestionDispatchForm(forms.Form):
    """按此派单: one of the machine's suggestions — its category and the plan's lead unit (optional)."""

    category = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    lead_unit = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class HotspotDecideForm(forms.Form):
    state = forms.ChoiceField(choices=[("acknowledged", _("已关注")), ("closed", _("关闭"))])
    note = forms.CharField(
        label=_("处理说明"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("处理说明（可选）")}),
    )
