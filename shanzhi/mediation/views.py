"""矛盾纠纷调解 in the console: the case list with screening alerts, the forms of 排 and of a new case, the case
page (parties masked, sessions, agreement, timeline, the actions of 分、调、处、评) and the agreement's files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals import selectors as appeal_selectors
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError, ValidationFailed
from shanzhi.core.http import client_ip
from shanzhi.core.models import PersonalDataAccess
from shanzhi.mediation import appointments, documents, escalation, forms, policy, selectors, services, supervision
from shanzhi.mediation.models import (
    OPEN_CASE_STATES,
    Case,
    CaseSource,
    CaseState,
    CaseSupervision,
    Committee,
    Mediator,
    PartyRole,
    RiskLevel,
    Session,
    SessionState,
    Slot,
)
from shanzhi.orgs import permissions
from shanzhi.orgs.models import TERRITORIAL_KINDS, Role, Unit, UnitKind, User
from shanzhi.orgs.personal_data import personal_data_reveal
from shanzhi.supervision.models import SupervisionLevel

FILE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not policy.may_open(user):
        raise DjangoPermissionDenied
    return user


def _units(user: User) -> list[tuple[int, str]]:
    """The territorial units a user may file for (grids, communities, towns of their subtree; all for the centre)."""
    qs = Unit.objects.filter(kind__in=TERRITORIAL_KINDS[2:], is_active=True)
    if not permissions.sees_everything(user):
        qs = qs.filter(permissions.subtree_q(user, "path"))
    return [(u.pk, u.name) for u in qs.order_by("path")]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    bucket = request.GET.get("bucket", "")
    visible = selectors.cases_visible_to(user)
    buckets = selectors.case_buckets(visible)
    cases = selectors.case_bucket_filter(visible, bucket)
    if state in CaseState.values:
        cases = cases.filter(state=state)
    reports = selectors.screening_reports_visible_to(user)
    context = {
        "appointments": list(appointments.appointments_for_desk(user)[:50]),
        "units": _units(user),
        "nav_active": "mediation",
        "cases": list(cases[:200]),
        "reports": list(reports[:50]),
        "alerts": reports.filter(alert=True, cases__isnull=True).count(),
        "state": state,
        "states": CaseState.choices,
        "bucket": bucket,
        "buckets": buckets,
        "may_work": policy.may_work_cases(user),
        "may_schedule": policy.may_edit_schedule(user),
        "may_screen": permissions.holds(user, policy.SCREENING_ROLES) and bool(_units(user)),
    }
    return render(request, "mediation/index.html", context)


@login_required
def screening_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = _units(user)
    today = clock.local_date()
    initial = {"period_end": today, "period_start": today.replace(day=1), "unit": user.unit_id}
    form = forms.ScreeningForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.screening_report_file(
                actor=user,
                unit=Unit.objects.get(pk=data["unit"]),
                period_start=data["period_start"],
                period_end=data["period_end"],
                domain=data["domain"],
                risk_level=data["risk_level"],
                summary=data["summary"],
                dispute_count=data["dispute_count"],
            )
        except ShanzhiError as exc:
            form.add_error(None, str(exc.message))
        else:
            text = _("已提交排查报告") + ("，" + _("高风险已预警") if report.alert else "")
            messages.success(request, text)
            return redirect("mediation:index")
    status = 422 if request.method == "POST" else 200
    return render(request, "mediation/screening_form.html", {"nav_active": "mediation", "form": form}, status=status)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.may_work_cases(user):
        raise DjangoPermissionDenied
    report = None
    report_id = request.GET.get("report") or request.POST.get("report")
    if report_id:
        try:
            report = selectors.screening_report_get(user=user, pk=int(report_id))
        except (NotFound, ValueError):
            raise Http404 from None
    units = _units(user)
    initial: dict[str, Any] = {"source": CaseSource.WALK_IN, "risk_level": RiskLevel.LOW}
    if report is not None:
        initial.update(
            source=CaseSource.SCREENING,
            unit=report.unit_id,
            domain=report.domain,
            risk_level=report.risk_level,
            facts=report.summary,
        )
        if (report.unit_id, report.unit.name) not in units:
            units.append((report.unit_id, report.unit.name))
    form = forms.CaseForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parties = [
            services.PartyIn(
                PartyRole.APPLICANT,
                data["applicant_name"],
                data["applicant_phone"],
                data["applicant_id_number"],
                data["applicant_address"],
            ),
            services.PartyIn(
                PartyRole.RESPONDENT, data["respondent_name"], data["respondent_phone"], "", data["respondent_address"]
            ),
        ]
        try:
            case = services.case_register(
                actor=user,
                source=CaseSource.SCREENING if report is not None else data["source"],
                unit=Unit.objects.get(pk=data["unit"]),
                domain=data["domain"],
                title=data["title"],
                facts=data["facts"],
                parties=parties,
                amount=data["amount"],
                risk_level=data["risk_level"],
                screening_report=report,
            )
        except ShanzhiError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已登记案件 %(number)s") % {"number": case.number})
            return redirect("mediation:case", pk=case.pk)
    status = 422 if request.method == "POST" else 200
    context = {"nav_active": "mediation", "form": form, "report": report}
    return render(request, "mediation/case_form.html", context, status=status)


@login_required
def appeal_handover(request: HttpRequest) -> HttpResponse:
    """诉求转调解: an appeal the user may see becomes a case; the citizen is the applicant; linked both ways."""
    user = _user(request)
    if not policy.may_work_cases(user):
        raise DjangoPermissionDenied
    form = forms.HandoverForm(request.POST or None, initial={"tracking_no": request.GET.get("appeal", "")[:24]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = appeal_selectors.appeal_get(user=user, key=data["tracking_no"])
            case = services.case_from_appeal(
                actor=user,
                appeal=appeal,
                domain=data["domain"],
                title=data["title"],
                respondent=services.PartyIn(PartyRole.RESPONDENT, data["respondent_name"], data["respondent_phone"]),
            )
        except ShanzhiError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已转为调解案件 %(number)s") % {"number": case.number})
            return redirect("mediation:case", pk=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "mediation/handover_form.html", {"nav_active": "mediation", "form": form}, status=status)


@login_required
@require_POST
def appointment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk accepts a citizen's appointment as a case."""
    user = _user(request)
    appointment = appointments.appointments_for_desk(user).filter(pk=pk).first()
    if appointment is None:
        raise Http404
    unit = (
        Unit.objects.filter(pk=request.POST.get("unit") or 0).first()
        if request.POST.get("unit", "").isdigit()
        else None
    )
    if unit is None or (unit.pk, unit.name) not in _units(user):
        messages.error(request, _("请选择属地"))
        return redirect("mediation:index")
    try:
        case = appointments.appointment_accept(
            actor=user, appointment=appointment, unit=unit, respondent=request.POST.get("respondent", "")
        )
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
        return redirect("mediation:index")
    messages.success(request, _("已受理预约，登记案件 %(number)s") % {"number": case.number})
    return redirect("mediation:case", pk=case.pk)


def _case(user: User, pk: int) -> Case:
    try:
        return selectors.case_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None


def _slots_for(case: Case) -> list[Slot]:
    """The committee's free slots, and first the slot of the citizen's appointment this case came from."""
    if case.committee is None:
        return []
    slots = list(selectors.free_slots(committee=case.committee, after=clock.now())[:30])
    appointment = getattr(case, "appointment", None)
    if (
        appointment is not None
        and appointment.slot.room.committee_id == case.committee_id
        and appointment.slot.starts_at > clock.now()
        and not case.sessions.filter(slot=appointment.slot).exists()
    ):
        slots.insert(0, appointment.slot)
    return slots


def _detail_context(user: User, case: Case, *, full: bool = False) -> dict[str, Any]:
    committees = list(selectors.committees())
    return {
        "nav_active": "mediation",
        "case": case,
        "parties": list(case.parties.all()),
        "full": full,
        "sessions": list(case.sessions.select_related("slot__room")),
        "agreement": getattr(case, "agreement", None),
        "follow_ups": list(case.follow_ups.all()),
        "evaluation": getattr(case, "evaluation", None),
        "timeline": selectors.case_timeline(case=case),
        "may_work": policy.may_work_cases(user),
        "may_review": policy.may_review(user),
        "may_reveal": permissions.may_view_personal_data(user),
        "committees": committees,
        "mediators": list(selectors.mediators_with_workload()),
        "slots": _slots_for(case),
        "is_leader": permissions.holds(user, {Role.LEADER, Role.ADMIN}),
        "departments": _departments(),
        "consultations": list(case.consultations.prefetch_related("departments")),
        "open": case.state in OPEN_CASE_STATES,
        "forms": {
            "extend": forms.ExtendForm(),
            "agreement": forms.AgreementForm(),
            "refer": forms.ReferForm(),
            "follow_up": forms.FollowUpForm(),
            "evaluate": forms.EvaluateForm(),
        },
        "supervisions": list(case.supervisions.select_related("unit", "issued_by")),
        "may_supervise": permissions.may_issue_supervision(user),
        "supervision_levels": SupervisionLevel.choices,
        "booked_session": next((s for s in case.sessions.all() if s.state == SessionState.BOOKED), None),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    return render(request, "mediation/case_detail.html", _detail_context(user, case))


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The parties in full, once, after the permission check and the log line."""
    user = _user(request)
    case = _case(user, pk)
    try:
        personal_data_reveal(
            user=user,
            subject_type="mediation.case",
            subject_id=case.pk,
            fields="parties",
            reason=request.POST.get("reason", ""),
            ip_address=client_ip(request),
        )
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
        return redirect("mediation:case", pk=pk)
    return render(request, "mediation/case_detail.html", _detail_context(user, case, full=True))


def _assign(user: User, case: Case, post: Any) -> str:
    form = forms.AssignForm(post)
    form.fields["committee"].choices = [(c.pk, c.name) for c in selectors.committees()]  # type: ignore[attr-defined]
    form.fields["mediator"].choices = [("", "—")] + [(m.pk, str(m)) for m in Mediator.objects.all()]  # type: ignore[attr-defined]
    if not form.is_valid():
        raise _invalid(form)
    committee = Committee.objects.get(pk=form.cleaned_data["committee"])
    mediator_id = form.cleaned_data["mediator"]
    mediator = Mediator.objects.select_related("user").get(pk=mediator_id) if mediator_id else None
    case = services.case_assign(actor=user, case=case, committee=committee, mediator=mediator)
    return _("已分派给 %(who)s") % {"who": case.mediator.user if case.mediator else ""}


def _book(user: User, case: Case, post: Any) -> str:
    form = forms.BookForm(post)
    if not form.is_valid():
        raise _invalid(form)
    slot = Slot.objects.filter(pk=form.cleaned_data["slot"]).first()
    if slot is None:
        raise NotFound()
    services.session_book(actor=user, case=case, slot=slot)
    return _("已预约调解")


def _record(user: User, case: Case, post: Any) -> str:
    form = forms.RecordForm(post)
    if not form.is_valid():
        raise _invalid(form)
    session = Session.objects.filter(pk=form.cleaned_data["session"], case=case).first()
    if session is None:
        raise NotFound()
    services.session_record(actor=user, session=session, record=form.cleaned_data["record"])
    return _("已记录调解笔录")


def _agreement(user: User, case: Case, post: Any) -> str:
    form = forms.AgreementForm(post)
    if not form.is_valid():
        raise _invalid(form)
    agreement = services.agreement_make(actor=user, case=case, **form.cleaned_data)
    return _("已生成调解协议书 %(number)s") % {"number": agreement.number}


def _refer(user: User, case: Case, post: Any) -> str:
    form = forms.ReferForm(post)
    if not form.is_valid():
        raise _invalid(form)
    services.case_refer(actor=user, case=case, **form.cleaned_data)
    return _("已引导至其他途径")


def _follow_up(user: User, case: Case, post: Any) -> str:
    form = forms.FollowUpForm(post)
    if not form.is_valid():
        raise _invalid(form)
    services.follow_up_record(actor=user, case=case, **form.cleaned_data)
    return _("已记录回访")


def _evaluate(user: User, case: Case, post: Any) -> str:
    form = forms.EvaluateForm(post)
    if not form.is_valid():
        raise _invalid(form)
    services.case_evaluate(actor=user, case=case, **form.cleaned_data)
    return _("已评价并结案")


def _invalid(form: Any) -> ShanzhiError:
    first = next(iter(form.errors.values()))[0] if form.errors else _("输入的内容不符合要求")
    return ValidationFailed(first)


def _extend(user: User, case: Case, post: Any) -> str:
    form = forms.ExtendForm(post)
    if not form.is_valid():
        raise _invalid(form)
    escalation.case_extend(actor=user, case=case, **form.cleaned_data)
    return _("已延长调解期限")


def _departments() -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("code")]


def _consult(user: User, case: Case, post: Any) -> str:
    form = forms.ConsultationForm(post)
    form.fields["departments"].choices = _departments()  # type: ignore[attr-defined]
    if not form.is_valid():
        raise _invalid(form)
    units = list(Unit.objects.filter(pk__in=form.cleaned_data["departments"]))
    escalation.consultation_record(actor=user, case=case, departments=units, conclusion=form.cleaned_data["conclusion"])
    return _("已记录集体会商")


def _leader_own(user: User, case: Case, post: Any) -> str:
    escalation.case_leader_own(actor=user, case=case, leader=user)
    return _("已领导包案")


def _order(case: Case, post: Any) -> CaseSupervision:
    order = CaseSupervision.objects.filter(pk=post.get("order") or 0, case=case).first() if str(
        post.get("order", "")).isdigit() else None  # fmt: skip
    if order is None:
        raise NotFound()
    return order


def _supervise(user: User, case: Case, post: Any) -> str:
    supervision.case_supervise(actor=user, case=case, level=post.get("level", ""), reason=post.get("reason", ""))
    return _("已督办")


def _supervision_reply(user: User, case: Case, post: Any) -> str:
    supervision.case_supervision_reply(actor=user, order=_order(case, post), reply=post.get("reply", ""))
    return _("已回复督办")


def _supervision_close(user: User, case: Case, post: Any) -> str:
    supervision.case_supervision_close(actor=user, order=_order(case, post))
    return _("督办单已办结")


ACTIONS: dict[str, Callable[[User, Case, Any], str]] = {
    "supervise": _supervise,
    "supervision_reply": _supervision_reply,
    "supervision_close": _supervision_close,
    "assign": _assign,
    "book": _book,
    "record": _record,
    "agreement": _agreement,
    "refer": _refer,
    "follow_up": _follow_up,
    "evaluate": _evaluate,
    "extend": _extend,
    "consult": _consult,
    "leader_own": _leader_own,
}


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    handler = ACTIONS.get(code)
    if handler is None:
        raise Http404
    try:
        text = handler(user, case, request.POST)
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, text)
    return redirect("mediation:case", pk=pk)


@login_required
def agreement_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The agreement as DOCX or PDF: the masked copy, or (``?full=1&reason=…``) the full one, logged as an export."""
    user = _user(request)
    case = _case(user, pk)
    agreement = getattr(case, "agreement", None)
    if agreement is None or fmt not in FILE_TYPES:
        raise Http404
    full = request.GET.get("full") == "1"
    if full:
        try:
            personal_data_reveal(
                user=user,
                subject_type="mediation.agreement",
                subject_id=agreement.pk,
                fields="parties",
                reason=request.GET.get("reason", ""),
                ip_address=client_ip(request),
                action=PersonalDataAccess.Action.EXPORT,
            )
        except ShanzhiError as exc:
            messages.error(request, str(exc.message))
            return redirect("mediation:case", pk=pk)
    maker = documents.agreement_docx if fmt == "docx" else documents.agreement_pdf
    response = HttpResponse(maker(agreement, full=full), content_type=FILE_TYPES[fmt])
    filename = f"调解协议书-{case.number}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(fmt == "docx", filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response
