"""Forms of the portal: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import AppealType, Rating
from shanzhi.orgs.models import Unit
from shanzhi.portal import rules
from shanzhi.portal.selectors import category_choices, communities
from shanzhi.routing.models import Category


class PortalForm(forms.Form):
    """Chinese labels take no trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


PHONE_ATTRS = {"inputmode": "numeric", "autocomplete": "tel", "maxlength": "13", "placeholder": "13800001234"}


class PhoneForm(PortalForm):
    phone = forms.CharField(label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS))


class CodeForm(PortalForm):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=rules.CODE_LENGTH + 2,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": str(rules.CODE_LENGTH)}
        ),
    )


class TrackForm(PortalForm):
    tracking_no = forms.CharField(
        label=_("诉求编号"), max_length=24, widget=forms.TextInput(attrs={"placeholder": "HB20260101-000001"})
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero to six photos in one input (the services check that each one is really an image)."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/*", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > rules.MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片") % {"n": rules.MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:  # type: ignore[override]
        return obj.path.replace("/", " › ")


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id and obj.parent else obj.name


TYPE_CHOICES = [(v, label) for v, label in AppealType.choices]


class SubmitForm(PortalForm):
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    appeal_type = forms.ChoiceField(label=_("诉求类型"), choices=TYPE_CHOICES, initial=AppealType.HELP)
    category = CategoryChoiceField(
        label=_("问题分类"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("不确定，请中心帮我分类"),
    )
    content = forms.CharField(
        label=_("反映内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请写明时间、地点和具体问题")}),
    )
    photos = PhotosField(label=_("现场照片（最多 6 张）"))
    address = forms.CharField(label=_("事发地址"), max_length=200, required=False)
    area = CommunityChoiceField(
        label=_("所在社区"), queryset=Unit.objects.none(), required=False, empty_label=_("不清楚")
    )
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    citizen_name = forms.CharField(label=_("称呼（选填）"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = category_choices()
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = Category.objects.filter(pk__in=[c.pk for c in categories]).order_by("path")
        area = self.fields["area"]
        assert isinstance(area, CommunityChoiceField)
        area.queryset = communities()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("longitude") is None) != (data.get("latitude") is None):
            raise forms.ValidationError(_("位置不完整，请重新选择位置"))
        return data


class SupplyForm(PortalForm):
    text = forms.CharField(label=_("补充内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("补充照片（最多 6 张）"))


class RateForm(PortalForm):
    rating = forms.ChoiceField(label=_("您对办理结果的评价"), choices=Rating.choices, widget=forms.RadioSelect)
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见或建议（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(PortalForm):
    reason = forms.CharField(label=_("仍未解决的问题"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
