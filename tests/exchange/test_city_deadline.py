"""The city's time limit for its order (the contract's ``deadline``) bounds ours: the appeal's and the units'
handling deadlines are never later than the city's, the warning comes at 75 % of the shortened time, and a later
city deadline leaves our own limits as they are."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.exchange.services import order_receive
from shanzhi.sla.services import Deadlines, deadlines_capped

from .conftest import order

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
OWN = Deadlines(
    sign_due_at=START + dt.timedelta(hours=2),
    contact_due_at=START + dt.timedelta(hours=24),
    due_at=START + dt.timedelta(days=5),
    warn_at=START + dt.timedelta(days=4),
)


def test_the_cap_rule():
    cap = START + dt.timedelta(hours=12)
    capped = deadlines_capped(OWN, start=START, cap=cap)
    assert capped.due_at == cap and capped.contact_due_at == cap and capped.sign_due_at == OWN.sign_due_at
    assert capped.warn_at == START + dt.timedelta(hours=9)
    assert deadlines_capped(OWN, start=START, cap=None) == OWN
    assert deadlines_capped(OWN, start=START, cap=START + dt.timedelta(days=9)) == OWN  # later: ours stand
    assert deadlines_capped(OWN, start=START, cap=START - dt.timedelta(hours=1)) == OWN  # nonsense: ignored


def _received(exchange, **overrides):  # type: ignore[no-untyped-def]
    city_order, created = order_receive(actor=exchange.city_user, order=order(**overrides), at=clock.now())
    assert created
    return Appeal.objects.get(pk=city_order.appeal_id)


def test_an_earlier_city_deadline_becomes_the_appeals_and_the_units(exchange):
    deadline = (clock.now() + dt.timedelta(days=1)).replace(microsecond=0)
    appeal = _received(exchange, deadline=deadline.astimezone(clock.centre_tz()).isoformat())
    assert appeal.external_due_at == deadline and appeal.due_at == deadline
    lead = appeal.assignments.get(role="lead")
    assert lead.due_at == deadline and lead.sign_due_at <= deadline and lead.warn_at < deadline


def test_without_a_city_deadline_our_own_limits_apply(exchange):
    appeal = _received(exchange)
    assert appeal.external_due_at is None and appeal.due_at is not None
    later = _received(exchange, order_id="SH-2", deadline=(clock.now() + dt.timedelta(days=60)).isoformat())
    assert later.external_due_at is not None and later.due_at < later.external_due_at  # ours is the earlier one
