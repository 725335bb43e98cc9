"""纠纷预约 for citizens, mounted at ``/m/mediation/``: the free slots of the next days, booking (signed in by
phone, through the portal's one-time code), one's own appointments and their cancellation. No JavaScript needed.

The portal sits above mediation, so the signed-in phone is read from the session key the portal writes
(``shanzhi.portal.citizen.PHONE_KEY``; a test keeps the two equal)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.mediation import appointments, forms, selectors
from shanzhi.mediation.models import Slot

PORTAL_PHONE_KEY = "citizen_phone"


def _phone(request: HttpRequest) -> str:
    return str(request.session.get(PORTAL_PHONE_KEY) or "")


WEEKDAYS = "一二三四五六日"


def _slot_label(slot: Slot) -> str:
    """Short enough for a phone: "12-05 周六 10:00 · 第一调解室"."""
    local = slot.starts_at.astimezone(clock.centre_tz())
    return f"{local:%m-%d} 周{WEEKDAYS[local.weekday()]} {local:%H:%M} · {slot.room.name}"


def index(request: HttpRequest) -> HttpResponse:
    phone = _phone(request)
    slots = list(selectors.free_slots(after=clock.now())[:60])
    form = forms.AppointmentForm(request.POST or None, slots=[(s.pk, _slot_label(s)) for s in slots])
    if request.method == "POST":
        if not phone:
            return redirect(reverse("portal:signin") + "?next=" + reverse("mediation_portal:index"))
        if form.is_valid():
            data = form.cleaned_data
            slot = Slot.objects.filter(pk=data["slot"]).first()
            try:
                if slot is None:
                    raise ShanzhiError(_("该时段不存在"))
                booked = appointments.appointment_book(
                    phone=phone,
                    name=data["name"],
                    slot=slot,
                    domain=data["domain"],
                    description=data["description"],
                )
            except ShanzhiError as exc:
                form.add_error(None, str(exc.message))
            else:
                text = _("预约成功：%(slot)s（%(committee)s）。请按时到场，调解员会电话与您确认。") % {
                    "slot": _slot_label(booked.slot),
                    "committee": booked.slot.room.committee.name,
                }
                messages.success(request, text)
                return redirect("mediation_portal:index")
    context = {
        "tab": "me",
        "signed_in": bool(phone),
        "phone_masked": pii.mask_phone(phone),
        "form": form,
        "slots": slots,
        "mine": list(appointments.appointments_of(phone=phone)[:20]),
    }
    return render(request, "mediation/portal_index.html", context, status=422 if form.errors else 200)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    if not _phone(request):
        return redirect(reverse("portal:signin") + "?next=" + reverse("mediation_portal:index"))
    try:
        appointments.appointment_cancel(phone=_phone(request), appointment_id=pk)
    except NotFound:
        raise  # someone else's appointment (or none): a 404, as for any object outside the scope
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已取消预约"))
    return redirect("mediation_portal:index")
