"""Hotline intake (诉求受理): caller number → their earlier appeals beside the form; knowledge-base answers suggested
as the operator types (Alt+K searches); a consultation answered from an article is registered and closed on the spot
(``answered``) with the article recorded; Ctrl+Enter submits."""

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
from shanzhi.appeals.services import appeal_answer, appeal_intake
from shanzhi.console import queues
from shanzhi.console.forms import IntakeForm
from shanzhi.console.views import current_user
from shanzhi.core import pii
from shanzhi.core.errors import NotFound, ShanzhiError, ValidationFailed
from shanzhi.core.ids import as_id
from shanzhi.knowledge import selectors as kb
from shanzhi.knowledge.services import article_record_use
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.routing.models import Category

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
