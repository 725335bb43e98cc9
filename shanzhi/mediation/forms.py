"""Console forms: they parse and check types; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.mediation import rules
from shanzhi.mediation.models import CaseSource, Domain, Performance, RiskLevel, Satisfaction


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class ConsoleForm(forms.Form):
    """Bootstrap classes on every widget, as the console's other forms."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")


class ScreeningForm(ConsoleForm):
    unit = forms.TypedChoiceField(label=_("排查单位"), coerce=int)
    period_start = forms.DateField(label=_("排查期起"), widget=date_widget())
    period_end = forms.DateField(label=_("排查期止"), widget=date_widget())
    domain = forms.ChoiceField(label=_("纠纷领域"), choices=Domain.choices)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    dispute_count = forms.IntegerField(label=_("排查纠纷数"), min_value=0, initial=1)
    summary = forms.CharField(label=_("排查情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, units: list[tuple[int, str]], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class CaseForm(ConsoleForm):
    source = forms.ChoiceField(label=_("来源"), choices=CaseSource.choices)
    unit = forms.TypedChoiceField(label=_("属地"), coerce=int)
    domain = forms.ChoiceField(label=_("纠纷领域"), choices=Domain.choices)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    title = forms.CharField(label=_("案由"), max_length=120)
    facts = forms.CharField(label=_("纠纷事实与争议"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    amount = forms.DecimalField(label=_("涉及金额(元)"), required=False, min_value=0, max_digits=14, decimal_places=2)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=60)
    applicant_phone = forms.CharField(label=_("申请人电话"), max_length=20, required=False)
    applicant_id_number = forms.CharField(label=_("申请人身份证号"), max_length=18, required=False)
    applicant_address = forms.CharField(label=_("申请人住址"), max_length=200, required=False)
    respondent_name = forms.CharField(label=_("被申请人姓名"), max_length=60)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=20, required=False)
    respondent_address = forms.CharField(label=_("被申请人住址"), max_length=200, required=False)

    def __init__(self, *args, units: list[tuple[int, str]], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class AssignForm(ConsoleForm):
    committee = forms.TypedChoiceField(label=_("调解委员会"), coerce=int)
    mediator = forms.TypedChoiceField(label=_("调解员"), coerce=int, required=False, empty_value=None)


class BookForm(ConsoleForm):
    slot = forms.IntegerField(label=_("时段"))


class RecordForm(ConsoleForm):
    session = forms.IntegerField()
    record = forms.CharField(label=_("调解笔录"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)


class AgreementForm(ConsoleForm):
    facts = forms.CharField(
        label=_("纠纷主要事实与争议事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    terms = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    performance_method = forms.CharField(label=_("履行方式"), max_length=200)
    performance_place = forms.CharField(label=_("履行地点"), max_length=200, required=False)
    performance_due = forms.DateField(label=_("履行期限"), widget=date_widget())


class ReferForm(ConsoleForm):
    route = forms.ChoiceField(label=_("引导途径"), choices=list(rules.REFERRAL_ROUTES.items()))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FollowUpForm(ConsoleForm):
    performance = forms.ChoiceField(label=_("履行情况"), choices=Performance.choices)
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class EvaluateForm(ConsoleForm):
    satisfaction = forms.ChoiceField(label=_("当事人满意度"), choices=Satisfaction.choices)
    review = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RevealForm(ConsoleForm):
    reason = forms.CharField(label=_("查看事由"), max_length=200)


class HandoverForm(ConsoleForm):
    """An appeal of dispute nature handed over to mediation (诉求转调解)."""

    tracking_no = forms.CharField(label=_("诉求编号"), max_length=24)
    domain = forms.ChoiceField(label=_("纠纷领域"), choices=Domain.choices)
    title = forms.CharField(label=_("案由"), max_length=120, required=False)
    respondent_name = forms.CharField(label=_("被申请人姓名/名称"), max_length=60)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=20, required=False)


class ExtendForm(ConsoleForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=30)
    consent = forms.CharField(label=_("双方同意情况"), max_length=500)


class ConsultationForm(ConsoleForm):
    departments = forms.TypedMultipleChoiceField(label=_("参与部门"), coerce=int)
    conclusion = forms.CharField(label=_("会商意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AppointmentForm(forms.Form):
    """The citizen's appointment (the portal's own plain styles, no Bootstrap classes)."""

    slot = forms.TypedChoiceField(label=_("时段"), coerce=int)
    name = forms.CharField(label=_("您的姓名"), max_length=60)
    domain = forms.ChoiceField(label=_("纠纷类型"), choices=Domain.choices)
    description = forms.CharField(label=_("纠纷简述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, slots: list[tuple[int, str]], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots  # type: ignore[attr-defined]


class AppealConvertForm(ConsoleForm):
    """转调解 on the appeal page: the appeal is known; the desk names the domain and the other party."""

    domain = forms.ChoiceField(label=_("纠纷领域"), choices=Domain.choices)
    title = forms.CharField(label=_("案由"), max_length=120, required=False)
    respondent_name = forms.CharField(label=_("被申请人姓名/名称"), max_length=60)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=20, required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("auto_id", "id_med_%s")  # the appeal page holds other forms with the same field names
        super().__init__(*args, **kwargs)
