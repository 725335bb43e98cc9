"""core.model_instances.new_instance builds the same unsaved instance as ``Model(**values)``."""

from __future__ import annotations

import pytest
from django.db import transaction

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core import clock
from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.model_instances import new_instance
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal.models import PortalTicket

pytestmark = pytest.mark.django_db


def same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert type(a) is type(b)
    left = {k: v for k, v in a.__dict__.items() if k != "_state"}
    right = {k: v for k, v in b.__dict__.items() if k != "_state"}
    assert left == right
    assert a._state.adding and b._state.adding and a._state.db == b._state.db
    assert a._state.fields_cache == b._state.fields_cache


def test_the_same_instance_as_the_model_builds(desk):
    at = clock.now()
    values = {
        "tracking_no": "HB20261128-000001",
        "channel": "hotline",
        "content": "路灯不亮",
        "category": desk.road_light,
        "area": desk.district.grid_a,
        "lead_unit": None,
        "created_by": desk.operator,
        "created_at": at,
    }
    appeal = new_instance(Appeal, **values)
    same(appeal, Appeal(**values))
    assert appeal.category_id == desk.road_light.pk and appeal.category is desk.road_light
    assert appeal.state == "received" and appeal.round == 0 and appeal.routing_suggestions == []

    for event_values in (
        {"appeal": appeal, "kind": "received", "actor": desk.operator, "created_at": at},
        {
            "appeal": appeal,
            "kind": "note",
            "actor_unit_id": desk.operator.unit_id,
            "payload": {"a": 1},
            "created_at": at,
        },
    ):
        same(new_instance(AppealEvent, **event_values), AppealEvent(**event_values))
    assignment = {"appeal": appeal, "unit": desk.district.dept_urban, "dispatched_at": at, "dispatched_by": None}
    same(new_instance(Assignment, **assignment), Assignment(**assignment))
    message = {"channel": "sms", "recipient": "13800001111", "event": "received", "appeal": appeal, "body": "x"}
    same(new_instance(OutboxMessage, **message), OutboxMessage(**message))


def test_callable_defaults_are_fresh_for_every_instance(desk):
    first = new_instance(AppealEvent, kind="note", created_at=clock.now())
    second = new_instance(AppealEvent, kind="note", created_at=clock.now())
    first.payload["x"] = 1
    assert second.payload == {}


def test_wrong_names_and_types_are_refused_as_the_model_refuses_them(desk):
    with pytest.raises(TypeError):
        new_instance(Appeal, no_such_field=1)
    with pytest.raises(ValueError):
        new_instance(Assignment, unit=desk.operator)


def test_instances_save_and_bulk_insert_like_model_instances(desk):
    at = clock.now()
    appeal = new_instance(Appeal, tracking_no="HB20261128-000002", channel="api", content="内容", created_at=at)
    event = new_instance(AppealEvent, appeal=appeal, kind="received", created_at=at)
    with transaction.atomic():
        bulk_insert([appeal], [event])
    assert event.appeal_id == appeal.pk
    note = new_instance(AppealEvent, appeal=appeal, kind="note", reason="备注", created_at=at)
    note.save()
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2


def test_one_to_one_models_fall_back_to_the_model(desk):
    ticket = new_instance(PortalTicket, code_hash="h", created_at=clock.now())
    same(ticket, PortalTicket(code_hash="h", created_at=ticket.created_at))
