"""Hotline intake (诉求受理): caller number → their earlier appeals beside the form; knowledge-base answers suggested
as the operator types (Alt+K searches); a consultation answered from an article is registered and closed on the spot
(``answered``) with the article recorded; Ctrl+Enter submits.

As the operator types, the classifier suggests categories (calibrated probabilities, the unit the catalogue would
route to, the urgency) and open appeals that the call probably repeats are shown with a 合并到该诉求 choice: the
call is then registered and merged into that appeal in one transaction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals.models import Appeal, AppealState, AppealType
from shanzhi.appeals.services import appeal_answer, appeal_intake, appeal_merge
from shanzhi.console import queues
from shanzhi.console.forms import IntakeForm
from shanzhi.console.intake_duplicates import intake_duplicates, merge_target
from shanzhi.console.views import current_user
from shanzhi.core import pii
from shanzhi.core.errors import NotFound, ShanzhiError, ValidationFailed
from shanzhi.core.ids import as_id
from shanzhi.knowledge import selectors as kb
from shanzhi.knowledge.services import article_record_use
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.catalogue import catalogue
from shanzhi.routing.models import Category, Urgency
from shanzhi.routing.services import routing_advice
from shanzhi.routing.suggestions import text_is_enough
from shanzhi.routing.urgency import urgency_suggest

KB_SUGGESTIONS = 5


def _add_attachments(request: HttpRequest, user: User, appeal: Appeal, uploads: list) -> None:
    """Each file goes through the appeal's attachment service; a refused file is reported, the appeal stays."""
    if not uploads:
        return
    from shanzhi.appeals.attachments import attachment_add

    for upload in uploads:
        try:
            attachment_add(actor=user, appeal=appeal, upload=upload)
        except ShanzhiError as exc:
            messages.warning(request, _("附件“%(name)s”未保存：%(msg)s") % {"name": upload.name, "msg": exc.message})


def _outcome_message(appeal: Appeal) -> str:
    if appeal.state == AppealState.DISPATCHED and appeal.lead_unit is not None:
        return _("已受理，编号 %(no)s，已派遣至 %(unit)s") % {"no": appeal.tracking_no, "unit": appeal.lead_unit.name}
    if appeal.state == AppealState.ACCEPTED:
        return _("已受理，编号 %(no)s，等待派单员派遣") % {"no": appeal.tracking_no}
    return _("已登记，编号 %(no)s，待受理") % {"no": appeal.tracking_no}


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not permissions.may_intake(user):
        raise DjangoPermissionDenied
    if request.method == "POST" and request.POST.get("kb") == "1":
        return _kb_suggestions(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid() and form.wants_answer(request.POST.get("intake_action")):
            response = _answer_from_kb(request, user, form)
            if response is not None:
                return response
        elif form.is_valid() and form.cleaned_data.get("merge_into"):
            response = _register_as_duplicate(request, user, form)
            if response is not None:
                return response
        elif form.is_valid():
            data = form.cleaned_data
            try:
                result = appeal_intake(
                    **form.intake_fields(),
                    actor=user,
                    appeal_type=data["appeal_type"],
                    urgency=data["urgency"] or None,
                    structured=not data["raw_only"],
                )
            except ShanzhiError as exc:
                form.add_error(None, str(exc.message))
            else:
                appeal = result.appeal
                if result.created:
                    _add_attachments(request, user, appeal, data["attachments"])
                    _propose_duplicates_after_commit(appeal)
                    messages.success(request, _outcome_message(appeal))
                else:
                    messages.info(request, _("该诉求已登记过，编号 %(no)s") % {"no": appeal.tracking_no})
                return redirect("console:appeal", pk=appeal.pk)
        status = 422
    else:
        form = IntakeForm()
        status = 200
    return render(request, "console/intake.html", _page_context(form), status=status)


def _page_context(form: IntakeForm) -> dict:
    adopted = None
    if form.is_bound and as_id(form.data.get("kb_article", "")) is not None:
        adopted = kb.articles_visible().filter(pk=int(form.data["kb_article"])).first()
    return {"form": form, "nav_active": "intake", "kb_adopted": adopted}


def _answer_from_kb(request: HttpRequest, user: User, form: IntakeForm) -> HttpResponse | None:
    """直接答复: register the call as a consultation and close it as ``answered`` with the article recorded, in one
    transaction (both or neither). Returns None when refused (the error is on the form)."""
    data = form.cleaned_data
    try:
        article = kb.article_get_visible(pk=data["kb_article"] or 0)
    except NotFound:
        form.add_error(None, _("请先从知识库选择一篇有效的文章"))
        return None
    answer = (data["answer"] or "").strip() or article.summary
    try:
        with transaction.atomic():
            result = appeal_intake(
                **{
                    **form.intake_fields(),
                    "title": data["title"] or article.title,
                    "category": data["category"] or article.category,
                },
                actor=user,
                appeal_type=AppealType.CONSULTATION,
                structured=True,
                auto_dispatch=False,
            )
            appeal = result.appeal
            if appeal.state == AppealState.ANSWERED:
                messages.info(request, _("该咨询已答复过，编号 %(no)s") % {"no": appeal.tracking_no})
                return redirect("console:intake")
            if appeal.appeal_type != AppealType.CONSULTATION:
                raise ValidationFailed(_("该诉求已按其他类型登记，不能直接答复"), code="answer_only_consultation")
            appeal_answer(actor=user, appeal=appeal, answer=answer, article_ref=article.reference)
            article_record_use(article=article)
    except ShanzhiError as exc:
        form.add_error(None, str(exc.message))
        return None
    if result.created:
        _add_attachments(request, user, appeal, data["attachments"])
    messages.success(
        request,
        _("已直接答复并办结，编号 %(no)s（依据：%(title)s）") % {"no": appeal.tracking_no, "title": article.title},
    )
    return redirect("console:intake")


def _kb_suggestions(request: HttpRequest) -> HttpResponse:
    """The knowledge-base panel (HTMX partial): the operator's own search, else what the call is about. Posted,
    not asked by GET: the call's text may name people and places, and a query string ends up in access logs."""
    data = request.POST
    query = (data.get("kb_q") or "").strip()
    typed = not query
    if typed:
        query = " ".join(filter(None, (data.get("title", ""), data.get("content", ""))))
    category = None
    if as_id(raw := data.get("category", "")) is not None:
        category = Category.objects.filter(pk=int(raw)).first()
    hits = kb.article_search(query=query, limit=KB_SUGGESTIONS, category=category) if query.strip() else []
    return render(
        request,
        "console/partials/kb_suggestions.html",
        {"hits": hits, "query": query.strip(), "from_call": typed},
    )


@login_required
@require_POST
def caller_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier appeals (HTMX partial), only those in the operator's scope, phone masked. Posted: a
    phone number in a query string would end up in access logs and the browser's history."""
    user = current_user(request)
    if not permissions.may_intake(user):
        raise DjangoPermissionDenied
    phone = pii.normalize_phone(request.POST.get("citizen_phone") or "")
    valid = bool(phone) and pii.phone_is_valid(phone)
    rows = queues.appeals_by_phone(user=user, phone=phone, limit=10) if valid else []
    return render(
        request,
        "console/partials/caller_history.html",
        {"rows": rows, "phone": pii.mask_phone(phone) if valid else "", "entered": bool(phone), "valid": valid},
    )


# --- suggestions as the operator types, duplicates before registering --------------------------------------------


def _propose_duplicates_after_commit(appeal: Appeal) -> None:
    """The duplicate proposer looks at the new appeal as soon as it is saved (not only at the next 5-minute sweep)."""
    from shanzhi.proactive.tasks import propose_duplicates_for

    pk = appeal.pk
    transaction.on_commit(lambda: propose_duplicates_for.enqueue(pk))


def _register_as_duplicate(request: HttpRequest, user: User, form: IntakeForm) -> HttpResponse | None:
    """合并到该诉求: register the call (not dispatched) and merge it into the chosen open appeal, both or neither.
    Returns None when refused (the error is on the form)."""
    data = form.cleaned_data
    master = merge_target(user=user, pk=data["merge_into"])
    if master is None:
        form.add_error(None, _("所选诉求已不能合并（已办结、已合并或不在您的范围内），请重新选择"))
        return None
    try:
        with transaction.atomic():
            result = appeal_intake(
                **form.intake_fields(),
                actor=user,
                appeal_type=data["appeal_type"],
                urgency=data["urgency"] or None,
                structured=not data["raw_only"],
                auto_dispatch=False,
            )
            appeal = result.appeal
            if result.created:
                appeal_merge(
                    actor=user,
                    appeal=appeal,
                    master=master,
                    reason=_("话务员登记时确认为 %(no)s 的重复来电") % {"no": master.tracking_no},
                )
    except ShanzhiError as exc:
        form.add_error(None, str(exc.message))
        return None
    if result.created:
        _add_attachments(request, user, appeal, data["attachments"])
        messages.success(
            request,
            _("已登记 %(no)s 并合并到 %(master)s") % {"no": appeal.tracking_no, "master": master.tracking_no},
        )
    else:
        messages.info(request, _("该诉求已登记过，编号 %(no)s") % {"no": appeal.tracking_no})
    return redirect("console:appeal", pk=master.pk if result.created else appeal.pk)


def _posted_area(value: str) -> Unit | None:
    return Unit.objects.filter(pk=int(value), is_active=True).first() if as_id(value or "") is not None else None


def _posted_float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) <= 180 else None


@login_required
@require_POST
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """系统建议 (HTMX partial): the top categories for what the operator has typed, each with its calibrated
    probability, the unit the catalogue would route it to and the urgency. Posted: the text may name people."""
    user = current_user(request)
    if not permissions.may_intake(user):
        raise DjangoPermissionDenied
    data = request.POST
    text = "\n".join(filter(None, ((data.get("title") or "").strip(), (data.get("content") or "").strip())))[:5000]
    context: dict = {"enough": text_is_enough(text), "suggestions": [], "model_ready": True, "urgency": None}
    if context["enough"]:
        advice = routing_advice(text=text, area=_posted_area(data.get("area", "")), channel=data.get("channel", ""))
        context["suggestions"] = advice.read()
        context["model_ready"] = advice.model_ready
        # The urgency: the chosen category's default (else the first suggestion's), raised by words of danger.
        category_id = as_id(data.get("category", "")) or next((s.category_id for s in context["suggestions"]), None)
        category = catalogue().categories.get(category_id) if category_id else None
        hint = urgency_suggest(text, category.default_urgency if category else Urgency.ORDINARY)
        context["urgency"] = {"value": hint.urgency, "label": Urgency(hint.urgency).label, "reason": hint.reason}
    return render(request, "console/partials/routing_intake_suggestions.html", context)


@login_required
@require_POST
def intake_duplicate_check(request: HttpRequest) -> HttpResponse:
    """疑似重复来电 (HTMX partial): open appeals in the operator's scope that this call probably repeats."""
    user = current_user(request)
    if not permissions.may_intake(user):
        raise DjangoPermissionDenied
    data = request.POST
    text = " ".join(filter(None, ((data.get("title") or "").strip(), (data.get("content") or "").strip())))[:5000]
    rows = intake_duplicates(
        user=user,
        text=text,
        phone=data.get("citizen_phone") or "",
        address=(data.get("address") or "")[:200],
        area=_posted_area(data.get("area", "")),
        longitude=_posted_float(data.get("longitude", "")),
        latitude=_posted_float(data.get("latitude", "")),
    )
    chosen = as_id(data.get("merge_into", "") or "")
    return render(request, "console/partials/routing_intake_duplicates.html", {"rows": rows, "chosen": chosen})
