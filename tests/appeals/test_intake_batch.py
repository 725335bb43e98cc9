"""Batch intake service: one transaction for the accepted items, concurrent retries resolved item by item."""

from __future__ import annotations

import pytest

from shanzhi.appeals.intake import intake_draft
from shanzhi.appeals.intake_batch import BatchItem, _write, appeals_intake_batch
from shanzhi.appeals.intake_store import intake_existing
from shanzhi.appeals.models import Appeal
from shanzhi.appeals.services import appeal_intake
from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications.models import OutboxMessage

from .conftest import appeal_fields

pytestmark = pytest.mark.django_db


def test_outcomes_keep_the_order_of_the_items(desk):
    items = [
        BatchItem(appeal_fields(desk), "a"),
        BatchItem(appeal_fields(desk, content=""), "b"),
        BatchItem(appeal_fields(desk), "a"),
        BatchItem(appeal_fields(desk, content="第二件"), None),
    ]
    outcomes = appeals_intake_batch(actor=desk.operator, items=items)
    assert [(o.index, o.status) for o in outcomes] == [(0, "created"), (1, "rejected"), (2, "existing"), (3, "created")]
    assert isinstance(outcomes[1].error, ValidationFailed) and outcomes[1].error.code == "content_required"
    assert outcomes[2].appeal is outcomes[0].appeal
    assert Appeal.objects.count() == 2


def test_a_repeat_of_a_rejected_item_is_rejected_too(desk):
    items = [BatchItem(appeal_fields(desk, content=""), "same"), BatchItem(appeal_fields(desk, content=""), "same")]
    outcomes = appeals_intake_batch(actor=desk.operator, items=items)
    assert [o.status for o in outcomes] == ["rejected", "rejected"]
    assert outcomes[1].error is outcomes[0].error


def test_an_item_registered_concurrently_turns_into_existing(desk):
    """Another request registers one of the keys after the batch was drafted: the writer's look-up finds it, that
    item returns the other's appeal and the rest is written (the race inside the write: test_intake_store)."""
    at = clock.now()
    drafts = {
        0: intake_draft(actor=desk.operator, at=at, idempotency_key="race-1", **appeal_fields(desk)),
        1: intake_draft(actor=desk.operator, at=at, idempotency_key="race-2", **appeal_fields(desk, content="第二件")),
    }
    winner = appeal_intake(
        actor=desk.operator, idempotency_key="race-2", **appeal_fields(desk, content="抢先登记")
    ).appeal

    outcomes = _write(desk.operator, drafts)
    assert outcomes[0].status == "created" and outcomes[0].appeal is not None
    assert outcomes[1].status == "existing" and outcomes[1].appeal == winner
    assert Appeal.objects.count() == 2
    created = Appeal.objects.get(idempotency_key="race-1")
    assert list(created.events.values_list("kind", flat=True)) == ["received", "accepted", "dispatched"]
    assert created.assignments.count() == 2
    assert OutboxMessage.objects.filter(appeal=created).count() == 1


def test_existing_by_key_only_sees_the_callers_own_appeals(desk):
    mine = appeal_intake(actor=desk.operator, idempotency_key="k", **appeal_fields(desk)).appeal
    assert intake_existing(desk.operator, ["k", "other"]) == {"k": mine}
    assert intake_existing(desk.dispatcher, ["k"]) == {}
    assert intake_existing(desk.operator, []) == {}
