"""两线联动 in the console: what the city sent, what goes back and its send state, and the dead letters to resend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.ids import as_id
from shanzhi.exchange import selectors, services
from shanzhi.exchange.models import DeliveryState
from shanzhi.orgs.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not services.may_manage_exchange(user):
        raise DjangoPermissionDenied
    return user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    if state not in DeliveryState.values:
        state = ""
    counts = selectors.delivery_counts(user)
    context = {
        "nav_active": "exchange",
        "state": state,
        "states": [(code, label, counts[code]) for code, label in DeliveryState.choices],
        "deliveries": list(selectors.deliveries_visible_to(user, state=state or None)[:100]),
        "dead": list(selectors.deliveries_visible_to(user, state=DeliveryState.DEAD)[:100]),
        "orders": list(selectors.orders_visible_to(user)[:20]),
        "webhooks": selectors.webhooks_for(user),
    }
    return render(request, "exchange/index.html", context)


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    delivery_id = as_id(str(pk))
    if delivery_id is None:
        raise NotFound()
    row = selectors.delivery_get(user, delivery_id)  # outside the scope: NotFound, a 404 like any other object
    try:
        services.delivery_resend(actor=user, delivery=row)
        messages.success(request, _("已重新排队发送"))
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    return redirect("exchange:index")
