"""居民共治 in the citizen portal (``/m/cogovern/``): residents post demands, support and comment on them, follow
projects' progress; volunteers check in at activities by scanning the QR code.

Residents sign in with the portal's one-time code (ADR 0010); the portal keeps the verified phone in the Django
session under ``citizen_phone``. This app sits below the portal and does not import it: it reads that one session
key (the portal's documented contract, ``shanzhi.portal.citizen.PHONE_KEY``) and sends visitors to the portal's
sign-in page with ``next``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.cogovern import publicity, rules, selectors, services
from shanzhi.cogovern.forms import CommentForm, DemandPostForm
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, ShanzhiError

#: The portal's session key for the verified phone (shanzhi.portal.citizen.PHONE_KEY).
PHONE_KEY = "citizen_phone"


def resident_phone(request: HttpRequest) -> str:
    return str(request.session.get(PHONE_KEY) or "")


def _signin(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('portal:signin')}?{urlencode({'next': request.get_full_path()})}")


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    phone = resident_phone(request)
    ctx = {"tab": "cogovern", "signed_in": bool(phone), "phone_masked": pii.mask_phone(phone), **context}
    return render(request, f"cogovern/{template}", ctx, status=status)


def index(request: HttpRequest) -> HttpResponse:
    community_id = request.GET.get("c", "")
    cid = int(community_id) if community_id.isdigit() else None
    demands = list(selectors.public_demands(community_id=cid).filter(state__in=rules.OPEN_STATES)[:30])
    done = list(selectors.public_demands(community_id=cid).filter(state="done")[:10])
    context = {
        "demands": demands,
        "done": done,
        "communities": selectors.portal_communities(),
        "community_id": cid,
    }
    return _page(request, "portal_index.html", context)


def demand_new(request: HttpRequest) -> HttpResponse:
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    form = DemandPostForm(request.POST or None, communities=selectors.portal_communities())
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_post(
                phone=phone,
                community=form.cleaned_data["community"],
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                now=clock.now(),
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("需求已提交，社区将尽快为您匹配资源"))
            return redirect("cogovern_portal:demand", pk=demand.pk)
    status = 422 if request.method == "POST" else 200
    return _page(request, "portal_demand_new.html", {"form": form}, status)


def my_demands(request: HttpRequest) -> HttpResponse:
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    return _page(request, "portal_mine.html", {"demands": list(selectors.resident_demands(phone)[:100])})


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    phone = resident_phone(request)
    try:
        demand = selectors.portal_demand(pk, phone=phone)
    except NotFound as exc:
        raise Http404 from exc
    project = selectors.live_project(demand)
    context = {
        "demand": demand,
        "mine": bool(phone) and demand.resident_phone == phone,
        "project": project,
        "milestones": list(project.milestones.all()) if project else [],
        "comments": list(demand.comments.all()[:50]),
        "comment_form": CommentForm(),
        "open": demand.state in rules.OPEN_STATES,
    }
    return _page(request, "portal_demand.html", context)


@require_POST
def demand_vote(request: HttpRequest, pk: int) -> HttpResponse:
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    try:
        demand = selectors.portal_demand(pk, phone=phone)
        new = services.demand_vote(phone=phone, demand=demand, now=clock.now())
    except NotFound as exc:
        raise Http404 from exc
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("感谢支持") if new else _("您已支持过该需求"))
    return redirect("cogovern_portal:demand", pk=pk)


@require_POST
def demand_comment(request: HttpRequest, pk: int) -> HttpResponse:
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    form = CommentForm(request.POST)
    try:
        demand = selectors.portal_demand(pk, phone=phone)
    except NotFound as exc:
        raise Http404 from exc
    if not form.is_valid():
        messages.error(request, _("评论至少 2 个字"))
    else:
        try:
            services.demand_comment(phone=phone, demand=demand, text=form.cleaned_data["text"], now=clock.now())
        except ShanzhiError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("评论已发表"))
    return redirect("cogovern_portal:demand", pk=pk)


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public progress page of a project."""
    try:
        project = selectors.public_project(pk)
    except NotFound as exc:
        raise Http404 from exc
    return _page(request, "portal_project.html", {"project": project, "milestones": list(project.milestones.all())})


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page the activity's QR code opens: a signed-in volunteer confirms and is counted (once)."""
    try:
        activity = services.activity_from_token(token)
    except NotFound as exc:
        raise Http404 from exc
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    status = 200
    result = None
    if request.method == "POST":
        try:
            result = services.check_in_by_qr(token=token, phone=phone, now=clock.now())
        except ShanzhiError as error:
            messages.error(request, str(error.message))
            status = error.status
    return _page(request, "portal_checkin.html", {"activity": activity, "result": result}, status)


def activities(request: HttpRequest) -> HttpResponse:
    """Upcoming volunteer activities and patrols; a registered volunteer signs up here."""
    rows = list(selectors.upcoming_activities(now=clock.now())[:50])
    mine = selectors.signed_up_activity_ids(resident_phone(request), [a.pk for a in rows])
    return _page(request, "portal_activities.html", {"activities": rows, "mine": mine})


@require_POST
def activity_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    phone = resident_phone(request)
    if not phone:
        return _signin(request)
    activity = selectors.upcoming_activities(now=clock.now()).filter(pk=pk).first()
    if activity is None:
        raise Http404
    try:
        services.activity_sign_up(phone=phone, activity=activity, now=clock.now())
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("报名成功"))
    return redirect("cogovern_portal:activities")


def law_index(request: HttpRequest) -> HttpResponse:
    """普法宣传: topics and the latest articles and videos."""
    topic = (request.GET.get("topic") or "").strip()[:30]
    items = publicity.published()
    if topic:
        items = items.filter(topic=topic)
    context = {"topics": publicity.topics(), "topic": topic, "items": list(items[:50])}
    return _page(request, "portal_law.html", context)


def law_item(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = publicity.published_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    publicity.publicity_read(item=item, now=clock.now())
    return _page(request, "portal_law_item.html", {"item": item})


@require_POST
def law_play(request: HttpRequest, pk: int) -> HttpResponse:
    """The player reports one start of the video."""
    try:
        item = publicity.published_get(pk)
        publicity.publicity_play(item=item, now=clock.now())
    except NotFound as exc:
        raise Http404 from exc
    except ShanzhiError as error:
        return HttpResponse(status=error.status)
    return HttpResponse(status=204)
