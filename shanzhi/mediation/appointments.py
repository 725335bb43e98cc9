"""纠纷预约 (mediation appointments) from the portal: a citizen signed in by phone books a free slot, sees and
cancels their own; the desk accepts an appointment as a case (source ``portal``), whose first session may then take
the appointment's slot.

Concurrency: a booking locks the slot row (``SELECT … FOR UPDATE``), the same lock a session booking takes, checks
that neither a live appointment nor a live session holds it, and inserts; the partial unique constraint
``mediation_slot_one_appointment`` is the database's guarantee behind the lock.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock, pii
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.mediation import notices, policy, services
from shanzhi.mediation.models import (
    Appointment,
    AppointmentState,
    Case,
    CaseSource,
    Domain,
    PartyRole,
    Session,
    SessionState,
    Slot,
)
from shanzhi.mediation.steps import need_text
from shanzhi.orgs.models import Unit, User

#: A citizen holds at most this many live appointments.
MAX_LIVE_PER_PHONE = 3


def appointment_book(*, phone: str, name: str, slot: Slot, domain: str, description: str) -> Appointment:
    """A signed-in citizen (``phone`` verified by the portal's one-time code) books ``slot``."""
    phone = pii.normalize_phone(phone or "")
    if not pii.citizen_phone_is_valid(phone):
        raise PermissionDenied(_("请先用手机号登录后再预约"), code="sign_in_required")
    name = need_text(name, field="name", message=_("请填写姓名"))[:60]
    description = need_text(description, field="description", message=_("请简要说明纠纷情况"))[:2000]
    if domain not in Domain.values:
        raise ValidationFailed(_("纠纷领域无效"), field="domain")
    now = clock.now()
    if slot.starts_at <= now:
        raise ValidationFailed(_("不能预约已过去的时段"), field="slot")
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        live = Appointment.objects.filter(phone=phone).exclude(state=AppointmentState.CANCELLED)
        if live.filter(slot__starts_at__gt=now).count() >= MAX_LIVE_PER_PHONE:
            raise ValidationFailed(_("您已有 %(n)s 个有效预约，请先完成或取消") % {"n": MAX_LIVE_PER_PHONE})
        taken = (
            Appointment.objects.filter(slot=locked).exclude(state=AppointmentState.CANCELLED).exists()
            or Session.objects.filter(slot=locked).exclude(state=SessionState.CANCELLED).exists()
        )
        if taken:
            raise Conflict(_("该时段已被预约，请选择其他时段"), code="slot_taken")
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=locked, phone=phone, name=name, domain=domain, description=description, created_at=now
                )
        except IntegrityError:
            raise Conflict(_("该时段已被预约，请选择其他时段"), code="slot_taken") from None
        notices.appointment_notify(appointment, notices.CONFIRMED)
        return appointment


def appointments_of(*, phone: str) -> QuerySet[Appointment]:
    """A citizen's own appointments (nobody else's)."""
    if not phone:
        return Appointment.objects.none()
    return Appointment.objects.filter(phone=phone).select_related("slot__room__committee").order_by("-created_at")


def appointment_cancel(*, phone: str, appointment_id: int) -> Appointment:
    """The citizen cancels their own appointment (before the desk accepted it)."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id, phone=phone).first()
        if appointment is None or not phone:
            raise NotFound()
        if appointment.state != AppointmentState.BOOKED:
            raise TransitionNotAllowed(_("该预约已受理或已取消，不能取消"))
        appointment.state, appointment.cancelled_at = AppointmentState.CANCELLED, clock.now()
        appointment.save(update_fields=["state", "cancelled_at"])
        notices.appointment_notify(appointment, notices.CANCELLED)
    return appointment


def appointments_for_desk(user: User) -> QuerySet[Appointment]:
    """Live appointments waiting for the desk (the mediation desk sees the committees' appointments)."""
    if not policy.may_work_cases(user):
        return Appointment.objects.none()
    return Appointment.objects.filter(state=AppointmentState.BOOKED).select_related("slot__room__committee")


def appointment_accept(*, actor: User, appointment: Appointment, unit: Unit, respondent: str, title: str = "") -> Case:
    """The desk accepts an appointment as a case; the appointment's slot is kept for the case's first session."""
    if not policy.may_work_cases(actor):
        raise PermissionDenied(_("只有调解员或中心派单员、领导可以受理预约"))
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.state != AppointmentState.BOOKED:
            raise TransitionNotAllowed(_("该预约已受理或已取消"))
        case = services.case_register(
            actor=actor,
            source=CaseSource.PORTAL,
            unit=unit,
            domain=locked.domain,
            title=title or locked.description[:40],
            facts=locked.description,
            parties=[
                services.PartyIn(PartyRole.APPLICANT, locked.name, locked.phone),
                services.PartyIn(PartyRole.RESPONDENT, respondent),
            ],
        )
        locked.state, locked.case = AppointmentState.ACCEPTED, case
        locked.save(update_fields=["state", "case"])
    return case
