"""纠纷预约 notices through the outbox: confirmed on booking, cancelled on cancelling, the reminder the day before
(a periodic job; once), each as an SMS to the citizen's phone and a portal message; the reminder rule is pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shanzhi.core import clock, periodic
from shanzhi.core.errors import Conflict
from shanzhi.mediation import appointments, notices, rules
from shanzhi.mediation.models import Appointment, Slot
from shanzhi.notifications.delivery import outbox_deliver
from shanzhi.notifications.models import OutboxMessage
from shanzhi.notifications.selectors import citizen_inbox

pytestmark = pytest.mark.django_db

PHONE = "13811112222"
TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, 0, tzinfo=TZ)


def test_the_reminder_rule():
    starts = at(10, 10)
    due = rules.appointment_reminder_due
    assert due(starts_at=starts, created_at=at(1, 9), now=at(9, 9), tz=TZ)  # the day before, by day
    assert not due(starts_at=starts, created_at=at(1, 9), now=at(9, 7), tz=TZ)  # not at night
    assert not due(starts_at=starts, created_at=at(1, 9), now=at(8, 15), tz=TZ)  # two days before: not yet
    assert due(starts_at=starts, created_at=at(1, 9), now=at(10, 8), tz=TZ)  # missed the eve: the morning
    assert not due(starts_at=starts, created_at=at(1, 9), now=at(10, 10), tz=TZ)  # it has begun
    assert not due(starts_at=starts, created_at=at(9, 16), now=at(9, 18), tz=TZ)  # booked the day before


def _book(slot: Slot) -> Appointment:
    return appointments.appointment_book(
        phone=PHONE, slot=slot, name="刘芳", domain="tenancy", description="退租押金被扣，协商不成"
    )


def _notices(event: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event=event).order_by("channel"))


def test_booking_confirms_and_cancelling_tells_by_sms_and_portal(desk, med):
    appointment = _book(med.slots[0])
    confirmed = _notices(notices.CONFIRMED)
    assert [m.channel for m in confirmed] == ["portal", "sms"]
    local = med.slots[0].starts_at.astimezone(clock.centre_tz())
    for m in confirmed:
        assert m.recipient == PHONE and m.appeal is None
        assert (m.subject_type, m.subject_id) == ("mediation.appointment", str(appointment.pk))
        assert f"编号YY{appointment.pk:06d}" in m.body and f"{local:%Y-%m-%d %H:%M}" in m.body
        assert "第一调解室" in m.body and "刘芳" not in m.body
    appointments.appointment_cancel(phone=PHONE, appointment_id=appointment.pk)
    assert [m.channel for m in _notices(notices.CANCELLED)] == ["portal", "sms"]
    outbox_deliver(now=clock.now())
    inbox = [m.body for m in citizen_inbox(phone=PHONE)]
    assert len(inbox) == 2 and "已取消" in inbox[0] and "已确认" in inbox[1]
    assert not list(citizen_inbox(phone="13833334444"))  # nobody else's inbox


def test_a_booking_that_fails_tells_nothing(desk, med):
    _book(med.slots[0])
    with pytest.raises(Conflict):
        appointments.appointment_book(
            phone="13833334444", slot=med.slots[0], name="王五", domain="debt", description="欠款"
        )
    assert OutboxMessage.objects.filter(recipient="13833334444").count() == 0


def test_the_reminder_goes_out_once_the_day_before(desk, med, time_machine):
    start = dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    slot = Slot.objects.create(room=med.room, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), tick=False)
    appointment = _book(slot)
    assert notices.appointment_reminders_send(now=dt.datetime(2026, 12, 8, 15, 0, tzinfo=TZ)) == 0
    assert notices.appointment_reminders_send(now=dt.datetime(2026, 12, 9, 10, 0, tzinfo=TZ)) == 1
    assert notices.appointment_reminders_send(now=dt.datetime(2026, 12, 9, 11, 0, tzinfo=TZ)) == 0
    reminders = _notices(notices.REMINDER)
    assert [m.channel for m in reminders] == ["portal", "sms"] and "明天 2026-12-10 10:00" in reminders[1].body
    appointment.refresh_from_db()
    assert appointment.reminded_at is not None


def test_a_cancelled_appointment_is_not_reminded(desk, med, time_machine):
    start = dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    slot = Slot.objects.create(room=med.room, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), tick=False)
    appointment = _book(slot)
    appointments.appointment_cancel(phone=PHONE, appointment_id=appointment.pk)
    assert notices.appointment_reminders_send(now=dt.datetime(2026, 12, 9, 10, 0, tzinfo=TZ)) == 0
    assert not _notices(notices.REMINDER)


def test_the_reminder_job_is_registered():
    job = next(j for j in periodic.jobs() if j.name == "mediation.appointment_reminders")
    assert job.task == "shanzhi.mediation.tasks.remind_appointments"
