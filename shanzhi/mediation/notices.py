"""纠纷预约 notices to the citizen — confirmed on booking, reminded the day before, cancelled — through the same
outbox as the appeal desk's (:func:`shanzhi.notifications.services.notify_subject`): an SMS to the phone the citizen
signed in with, and the same text in the portal's messages. Written in the caller's transaction (the transactional
outbox), so a booking that rolls back sends nothing. The texts are the built-in ones below unless the admin sets a
template for the event (通知模板)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.mediation import rules
from shanzhi.mediation.models import Appointment, AppointmentState
from shanzhi.notifications.kinds import NotificationChannel, register_subject_event
from shanzhi.notifications.services import notify_subject

logger = logging.getLogger("shanzhi.mediation")

SUBJECT_TYPE = "mediation.appointment"
CONFIRMED = "appt_confirmed"
REMINDER = "appt_reminder"
CANCELLED = "appt_cancelled"

#: Appointments still to happen: booked, or accepted by the desk as a case.
REMINDED_STATES = (AppointmentState.BOOKED, AppointmentState.ACCEPTED)

PLACEHOLDERS = {
    "number": _("预约编号"),
    "time": _("调解时间"),
    "room": _("调解室"),
    "committee": _("调解委员会"),
}
TEXTS = {
    CONFIRMED: (
        _("纠纷预约已确认"),
        _(
            "您的纠纷调解预约已确认（编号{number}）：{time}，{committee}{room}。请携带身份证件及相关材料按时到场；"
            "如需取消请登录门户。{portal_url}"
        ),
    ),
    REMINDER: (
        _("纠纷预约提醒"),
        _("温馨提示：您预约的纠纷调解（编号{number}）在明天 {time}，地点{committee}{room}，请按时到场。"),
    ),
    CANCELLED: (
        _("纠纷预约已取消"),
        _("您的纠纷调解预约（编号{number}，{time}）已取消。如仍需调解，可在门户重新预约。"),
    ),
}


def register() -> None:
    """Declare the notices to the outbox (from ``MediationConfig.ready``)."""
    for code, (label, text) in TEXTS.items():
        register_subject_event(code, str(label), text, PLACEHOLDERS)


def appointment_number(appointment: Appointment) -> str:
    return f"YY{appointment.pk:06d}"


def appointment_notify(appointment: Appointment, event: str) -> int:
    """Queue ``event`` about ``appointment`` by SMS and in the portal's messages; how many messages were queued."""
    slot = appointment.slot
    values = {
        "number": appointment_number(appointment),
        "time": f"{slot.starts_at.astimezone(clock.centre_tz()):%Y-%m-%d %H:%M}",
        "room": slot.room.name,
        "committee": slot.room.committee.name,
    }
    queued = 0
    for channel in (NotificationChannel.SMS, NotificationChannel.PORTAL):
        message = notify_subject(
            subject_type=SUBJECT_TYPE,
            subject_id=appointment.pk,
            phone=appointment.phone,
            event=event,
            values=values,
            channel=channel,
        )
        queued += message is not None
    return queued


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """The reminders due (the day before, see :func:`rules.appointment_reminder_due`): each claimed once by a
    conditional UPDATE, so two sweeps never remind twice. How many appointments were reminded."""
    now = now or clock.now()
    tz = clock.centre_tz()
    horizon = now + dt.timedelta(days=2)
    live = Appointment.objects.filter(
        state__in=REMINDED_STATES,
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=horizon,
    ).select_related("slot__room__committee")
    reminded = 0
    for appointment in live:
        if not rules.appointment_reminder_due(
            starts_at=appointment.slot.starts_at, created_at=appointment.created_at, now=now, tz=tz
        ):
            continue
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminded_at__isnull=True, state__in=REMINDED_STATES
            ).update(reminded_at=now)
            if not claimed:
                continue
            appointment_notify(appointment, REMINDER)
        reminded += 1
    if reminded:
        logger.info("mediation appointment reminders queued: %d", reminded)
    return reminded
