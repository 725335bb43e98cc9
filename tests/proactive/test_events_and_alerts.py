"""A hotspot's every change is an event, its alert reaches the territorial unit through the outbox (SMS to the duty
phone) and the console (its hotspot board), and duplicate decisions leave a line in the appeal's history."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.notifications.models import UNIT_ALERT_EVENT, OutboxMessage
from shanzhi.proactive.models import DuplicateProposal, Hotspot, HotspotEvent
from shanzhi.proactive.services import (
    duplicate_accept,
    duplicate_dismiss,
    duplicates_propose_for,
    hotspot_decide,
    hotspots_detect,
)

from .conftest import T0
from .test_duplicates import PHONE, SAME_MATTER
from .test_hotspots import LIGHTS

pytestmark = pytest.mark.django_db


def _raise(intake, world, *, duty_phone: str = "13912345678") -> Hotspot:  # type: ignore[no-untyped-def]
    town = world.district.town_a
    type(town).objects.filter(pk=town.pk).update(phone=duty_phone)
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    assert hotspots_detect(now=T0 + dt.timedelta(hours=6)).created == 1
    return Hotspot.objects.get()


def test_a_raised_hotspot_is_alerted_by_the_outbox_to_the_towns_duty_phone(intake, world):
    hotspot = _raise(intake, world)
    [message] = OutboxMessage.objects.filter(event=UNIT_ALERT_EVENT)
    assert message.recipient == "13912345678" and message.appeal_id is None
    assert hotspot.area.name in message.body and "5件" in message.body
    kinds = list(hotspot.events.values_list("kind", flat=True))
    assert kinds == ["raised", "alerted"]
    alerted = hotspot.events.get(kind="alerted")
    assert alerted.payload == {"unit": world.district.town_a.code, "outbox_message": message.pk, "sms": True}
    assert alerted.by == "system:proactive" and alerted.actor is None
    hotspots_detect(now=T0 + dt.timedelta(hours=7))  # unchanged: no second alert
    assert OutboxMessage.objects.filter(event=UNIT_ALERT_EVENT).count() == 1


def test_without_a_mobile_duty_phone_the_alert_is_on_the_console_only(intake, world):
    hotspot = _raise(intake, world, duty_phone="0473-1234567")
    assert not OutboxMessage.objects.filter(event=UNIT_ALERT_EVENT).exists()
    assert hotspot.events.get(kind="alerted").payload["sms"] is False


def test_the_towns_head_finds_the_alert_on_the_console_and_another_town_does_not(intake, world, make_user, login):
    hotspot = _raise(intake, world)
    head_a = make_user(world.district.town_a, "unit_head")
    head_b = make_user(world.district.town_b, "unit_head")
    page_a = login(head_a).get("/console/hotspots/")
    page_b = login(head_b).get("/console/hotspots/")
    assert page_a.status_code == page_b.status_code == 200
    assert [row["hotspot"].pk for row in page_a.context["rows"]] == [hotspot.pk]
    assert hotspot.summary in page_a.content.decode()
    assert page_b.context["rows"] == [] and "热点预警" in page_b.content.decode()  # the board, empty for town B


def test_extending_deciding_and_the_quiet_close_are_events(intake, world):
    hotspot = _raise(intake, world)
    intake(hours=7, content=LIGHTS[6])
    hotspots_detect(now=T0 + dt.timedelta(hours=8))
    extended = hotspot.events.get(kind="extended")
    assert len(extended.payload["appeals"]) == 1 and extended.payload["count"] == 6
    hotspot_decide(actor=world.dispatcher, hotspot=hotspot, state="acknowledged", note="已转属地")
    acknowledged = hotspot.events.get(kind="acknowledged")
    assert (acknowledged.actor, acknowledged.from_state, acknowledged.to_state) == (
        world.dispatcher,
        "open",
        "acknowledged",
    )
    hotspot_decide(actor=world.dispatcher, hotspot=hotspot, state="closed")
    assert hotspot.events.get(kind="closed").from_state == "acknowledged"


def test_the_quiet_close_is_an_event(intake, world):
    quiet = _raise(intake, world)
    hotspots_detect(now=T0 + dt.timedelta(days=3))
    quiet.refresh_from_db()
    assert quiet.state == "closed"
    closing = quiet.events.get(kind="closed")
    assert closing.by == "system:proactive" and closing.to_state == "closed"
    assert HotspotEvent.objects.filter(hotspot=quiet, kind="raised").exists()


def test_duplicate_decisions_are_in_the_appeals_history(intake, world):
    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    (proposal,) = duplicates_propose_for(repeat)
    duplicate_dismiss(actor=world.dispatcher, proposal=proposal)
    note = repeat.events.get(kind="note", payload__decision="dismissed")
    assert note.actor == world.dispatcher and note.payload["duplicate_proposal"] == proposal.pk

    again = intake(hours=4, phone=PHONE, content=SAME_MATTER)
    proposals = duplicates_propose_for(again)
    assert proposals
    duplicate_accept(actor=world.dispatcher, proposal=proposals[0])
    accepted = again.events.get(kind="note", payload__decision="accepted")
    others = sorted(p.pk for p in proposals[1:])
    assert accepted.payload["dismissed_with_it"] == others
    assert set(DuplicateProposal.objects.filter(pk__in=others).values_list("state", flat=True)) <= {"dismissed"}
