"""Forms of the co-governance pages: types and lengths only; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.cogovern.models import (
    ActivityKind,
    PublicityForce,
    PublicityKind,
    ResourceKind,
    SocialForceKind,
    TeamKind,
)
from shanzhi.orgs.models import Unit

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ScopedForm(forms.Form):
    """A form with a ``community`` choice limited to the communities given."""

    community = CommunityField(label=_("社区"), queryset=Unit.objects.none(), empty_label=_("请选择社区"))

    def __init__(self, *args: Any, communities: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities


class DemandPostForm(ScopedForm):
    """The resident's demand in the portal."""

    title = forms.CharField(label=_("需求"), max_length=100, min_length=4)
    content = forms.CharField(label=_("详细说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))


class DemandRecordForm(DemandPostForm):
    source = forms.ChoiceField(label=_("来源"), choices=[("community", _("社区收集")), ("grid", _("网格员收集"))])


class CommentForm(forms.Form):
    text = forms.CharField(label=_("评论"), max_length=500, min_length=2, widget=forms.Textarea(attrs={"rows": 2}))


class MatchForm(forms.Form):
    resource = forms.IntegerField(label=_("资源"))
    note = forms.CharField(label=_("匹配说明"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, min_length=2)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    budget = forms.DecimalField(label=_("预算(元)"), max_digits=12, decimal_places=2, min_value=0, initial=0)
    beneficiaries = forms.IntegerField(label=_("受益人数"), min_value=0, initial=0)
    milestones = forms.CharField(
        label=_("项目节点(每行一个，可写“节点 日期”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FinishForm(forms.Form):
    result = forms.CharField(
        label=_("完成情况"), max_length=500, min_length=2, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResourceForm(ScopedForm):
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=500, required=False)
    provider = forms.IntegerField(label=_("提供方"), required=False)
    capacity = forms.IntegerField(label=_("可服务容量(项目数)"), min_value=1, max_value=10000, initial=1)


class SocialForceForm(ScopedForm):
    kind = forms.ChoiceField(label=_("类别"), choices=SocialForceKind.choices)
    name = forms.CharField(label=_("名称/姓名"), max_length=100)
    services = forms.CharField(label=_("参与内容"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class TeamForm(ScopedForm):
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TeamKind.choices)


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    skills = forms.CharField(label=_("特长"), max_length=200, required=False)


class ActivityForm(ScopedForm):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    team = forms.IntegerField(label=_("组织队伍"), required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DT_WIDGET)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DT_WIDGET)
    hours = forms.DecimalField(label=_("服务时长(小时)"), max_digits=5, decimal_places=1, min_value=0)
    capacity = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=10000, initial=20)


class CheckForm(forms.Form):
    item = forms.IntegerField()
    is_met = forms.BooleanField(required=False)
    evidence = forms.CharField(max_length=500, required=False)


class PublicityForm(forms.Form):
    kind = forms.ChoiceField(label=_("形式"), choices=PublicityKind.choices)
    force = forms.ChoiceField(label=_("发布力量"), choices=PublicityForce.choices)
    topic = forms.CharField(label=_("主题"), max_length=30, help_text=_("如：民法典、反诈骗、婚姻家庭、劳动权益"))
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文/简介"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    video_url = forms.CharField(label=_("视频地址"), max_length=200, required=False)
    publisher = forms.CharField(label=_("发布单位"), max_length=100, required=False)
