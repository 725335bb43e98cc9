"""Two near-identical calls two minutes apart are proposed as duplicates (on the demo they were both dispatched and
the proposer found none): the typed address is a place, and nearly the same words minutes apart are enough."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shanzhi.proactive.duplicates import AppealFacts, DuplicateSettings, bigrams, duplicate_score, duplicates_find
from shanzhi.proactive.models import DuplicateProposal
from shanzhi.proactive.services import duplicates_propose_for

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
FIRST = "幸福小区3号楼门口的路灯不亮已经一周了，晚上很黑，老人出门不方便"
SECOND = "幸福小区3号楼门口路灯不亮一周了，晚上太黑，老人出门很不方便"


def two_calls(intake, address: str = "新华街道幸福小区3号楼"):
    """The hotline way: an address typed, no grid picked, no map point; another phone the second time."""
    common = {"area": None, "address": address}
    with time_machine.travel(T0, tick=False):
        a = intake(content=FIRST, citizen_phone="13800001234", **common)
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        b = intake(content=SECOND, citizen_phone="13900005678", **common)
    return a, b


def test_two_near_identical_calls_two_minutes_apart_are_proposed(intake):
    a, b = two_calls(intake)
    assert a.state == b.state == "dispatched"  # both went out, as on the demo
    (match,) = duplicates_find(b)
    assert match.master_id == a.pk and match.score >= 0.5
    assert "同一地址" in match.explanation and "间隔 2 分钟" in match.explanation
    (proposal,) = duplicates_propose_for(b)
    assert proposal.master_id == a.pk
    assert DuplicateProposal.objects.count() == 1


def test_same_words_minutes_apart_without_caller_or_place(intake):
    a, b = two_calls(intake, address="")
    (match,) = duplicates_find(b)
    assert match.master_id == a.pk and "短时间内内容几乎相同" in match.explanation


def test_rule_different_places_or_hours_apart_are_not_enough():
    conf = DuplicateSettings()
    text = bigrams(FIRST)

    def facts(i, minutes, **kw):
        return AppealFacts(id=i, tracking_no=f"HB{i}", created_at=T0 + dt.timedelta(minutes=minutes), text=text, **kw)

    assert duplicate_score(facts(2, 2), facts(1, 0), conf) is not None  # minutes apart, nothing else known
    assert duplicate_score(facts(2, 90), facts(1, 0), conf) is None  # the same words an hour and a half later
    grid_a = {"area_code": "G1", "area_kind": "grid", "area_path": "/d/t/c1/G1/"}
    grid_b = {"area_code": "G2", "area_kind": "grid", "area_path": "/d/t/c2/G2/"}
    assert duplicate_score(facts(2, 2, **grid_b), facts(1, 0, **grid_a), conf) is None  # two places: two lamps
