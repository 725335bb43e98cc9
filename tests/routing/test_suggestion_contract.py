"""The typed suggestion contract (issue 21): the classifier's producer and the console's consumers run together."""

from __future__ import annotations

import typing

import pytest

from routing.desk_model import desk_model_promote
from shanzhi.appeals.services import appeal_intake
from shanzhi.console import queues
from shanzhi.routing.services import routing_advice
from shanzhi.routing.suggestions import RoutingSuggestion, SuggestionData, suggestion_read, suggestions_read

pytestmark = pytest.mark.django_db


def test_intake_stores_what_the_console_reads(desk, settings, tmp_path):
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 1.01  # never automatic: the appeal waits with its suggestions
    version = desk_model_promote(desk, settings, tmp_path)
    appeal = appeal_intake(
        actor=desk.operator,
        channel="hotline",
        content="小区门口的路灯坏了，晚上不亮",
        citizen_phone="13800001234",
        area=desk.district.grid_a,
    ).appeal
    stored = appeal.routing_suggestions
    assert stored, appeal.routing_explanation
    required = SuggestionData.__required_keys__
    assert all(required <= set(item) for item in stored)
    assert set(stored[0]) <= set(typing.get_type_hints(SuggestionData))
    # The consumer: the dispatch queue and the appeal page read them through the contract.
    read = queues.suggestions_of(appeal)
    assert all(isinstance(s, RoutingSuggestion) for s in read)
    first = read[0]
    assert first.category_id == desk.road_light.pk and first.path == desk.road_light.path
    assert first.model == version and 0 < first.score <= 1
    assert first.lead_unit_id == desk.district.dept_urban.pk  # the catalogue: 市政设施 → 城管局
    assert first.urgency == desk.road_light.default_urgency
    assert [s.index for s in read] == list(range(len(read)))
    assert [s.score for s in read] == sorted((s.score for s in read), reverse=True)
    # What the producer says in memory is what the consumer reads back from the database.
    advice = routing_advice(text=f"{appeal.title}\n{appeal.content}", area=appeal.area, channel="hotline")
    assert [s.category_id for s in advice.read()] == [s.category_id for s in read]


def test_malformed_items_are_skipped_not_raised():
    good = {"category_id": 7, "path": "a/b", "score": 0.4, "model": "v1", "lead_unit_id": None}
    items = [None, "x", {"category_id": "abc"}, {"category_id": True}, good, {**good, "score": "nan?"}]
    read = suggestions_read(items)
    assert [s.category_id for s in read] == [7, 7]
    assert read[1].score == 0.0 and read[0].index == 0 and read[1].index == 1
    assert suggestions_read("not a list") == []


def test_round_trip_through_the_stored_form():
    s = RoutingSuggestion(
        index=0,
        category_id=3,
        path="城乡建设/市政设施/路灯损坏",
        score=0.62,
        model="v2",
        lead_unit_id=9,
        lead_unit_name="城管局",
        assisting=["住建局"],
        explanation="why",
        rule=4,
        urgency="urgent",
    )
    assert suggestion_read(s.as_data()) == s
