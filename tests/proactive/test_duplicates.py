"""Near-duplicate detection and merge proposals (issue 3 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import AppealState
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed
from shanzhi.proactive.duplicates import (
    AppealFacts,
    DuplicateSettings,
    bigrams,
    distance_m,
    duplicate_score,
    duplicates_find,
    interval_text,
    text_similarity,
)
from shanzhi.proactive.models import DuplicateProposal, ProposalState
from shanzhi.proactive.services import duplicate_accept, duplicate_dismiss, duplicates_propose_for, duplicates_sweep

from .conftest import T0

PHONE = "13900001111"
SAME_MATTER = "和平社区3号楼门口那盏路灯还是不亮，晚上出门很不方便，已经一周多了"


def test_same_caller_same_grid_similar_text_is_proposed(intake) -> None:
    master = intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    matches = duplicates_find(repeat)
    assert [m.master_id for m in matches] == [master.pk]
    match = matches[0]
    assert match.reasons[:3] == ("同一来电人", "同一网格", "同一分类")
    assert match.reasons[-1] == "间隔 3 小时"
    assert any(r.startswith("文本相似度 0.") for r in match.reasons)
    assert match.score >= 0.5

    proposals = duplicates_propose_for(repeat)
    assert len(proposals) == 1
    proposal = proposals[0]
    assert (proposal.appeal_id, proposal.master_id, proposal.state) == (repeat.pk, master.pk, ProposalState.PROPOSED)
    assert proposal.reasons.startswith("同一来电人；同一网格；同一分类；文本相似度 ")
    assert proposal.reasons.endswith("间隔 3 小时")


def test_proposing_twice_keeps_one_row(intake) -> None:
    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    duplicates_propose_for(repeat)
    duplicates_propose_for(repeat)
    assert DuplicateProposal.objects.count() == 1


def test_different_callers_a_few_metres_apart_are_proposed(intake, world) -> None:
    master = intake(longitude=106.80, latitude=39.67, area=None)
    near = intake(hours=5, content=SAME_MATTER, longitude=106.8005, latitude=39.6704, area=None)
    matches = duplicates_find(near)
    assert [m.master_id for m in matches] == [master.pk]
    assert "同一来电人" not in matches[0].reasons
    assert any(r.startswith("相距 ") and r.endswith(" 米") for r in matches[0].reasons)


def test_different_caller_far_away_is_not_a_duplicate(intake, world) -> None:
    intake(area=world.district.grid_a, longitude=106.80, latitude=39.67)
    other = intake(hours=1, content=SAME_MATTER, area=world.district.grid_b, longitude=106.85, latitude=39.70)
    assert duplicates_find(other) == []
    assert duplicates_propose_for(other) == []


def test_same_caller_with_a_different_matter_is_not_a_duplicate(intake, world) -> None:
    intake(phone=PHONE)
    other = intake(
        hours=2,
        phone=PHONE,
        category=world.noise,
        content="楼后面工地晚上十一点还在打桩施工，噪音太大孩子睡不着觉",
    )
    assert duplicates_find(other) == []


def test_outside_the_window_is_not_a_duplicate(intake) -> None:
    intake(phone=PHONE, hours=-8 * 24)
    repeat = intake(phone=PHONE, content=SAME_MATTER)
    assert duplicates_find(repeat) == []
    # A wider window (a setting) finds it.
    assert len(duplicates_find(repeat, conf=DuplicateSettings(window=dt.timedelta(days=10)))) == 1


def test_closed_merged_and_later_appeals_are_not_masters(intake, world) -> None:
    earlier = intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    later = intake(hours=6, phone=PHONE, content=SAME_MATTER)
    # The earlier one is closed: it no longer counts; the later one is never the master of an earlier one.
    type(earlier).objects.filter(pk=earlier.pk).update(state=AppealState.CLOSED)
    assert duplicates_find(repeat) == []
    assert [m.master_id for m in duplicates_find(later)] == [repeat.pk]


def test_the_best_candidate_comes_first(intake, world) -> None:
    # Another caller in the same grid with a shorter description of the same lamp; then the caller's own first call.
    neighbour = intake(content="和平社区3号楼门口路灯不亮，一周了")
    own = intake(hours=1, phone=PHONE)
    repeat = intake(hours=4, phone=PHONE, content=SAME_MATTER)
    matches = duplicates_find(repeat)
    assert [m.master_id for m in matches] == [own.pk, neighbour.pk]
    assert matches[0].score > matches[1].score
    assert "同一来电人" in matches[0].reasons and "同一来电人" not in matches[1].reasons


def test_accepting_merges_and_settles_the_other_proposals(intake, world) -> None:
    master = intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    third = intake(hours=5, phone=PHONE, content=SAME_MATTER)
    (proposal,) = duplicates_propose_for(repeat)
    third_proposals = duplicates_propose_for(third)
    assert {p.master_id for p in third_proposals} == {master.pk, repeat.pk}

    accepted = duplicate_accept(actor=world.dispatcher, proposal=proposal)
    assert accepted.state == ProposalState.ACCEPTED
    assert accepted.decided_by == world.dispatcher and accepted.decided_at is not None
    repeat.refresh_from_db()
    assert repeat.state == AppealState.MERGED and repeat.master_id == master.pk
    assert repeat.events.filter(kind="merged", reason__contains="系统提示重复件").exists()
    # The merged appeal can no longer be a master: the proposal third → repeat is settled.
    settled = DuplicateProposal.objects.get(appeal=third, master=repeat)
    assert settled.state == ProposalState.DISMISSED
    with pytest.raises(TransitionNotAllowed):
        duplicate_accept(actor=world.dispatcher, proposal=proposal)


def test_a_dismissed_pair_is_not_proposed_again(intake, world) -> None:
    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    (proposal,) = duplicates_propose_for(repeat)
    duplicate_dismiss(actor=world.dispatcher, proposal=proposal)
    assert duplicates_propose_for(repeat) == []
    assert DuplicateProposal.objects.get().state == ProposalState.DISMISSED


def test_a_unit_handler_may_not_decide_proposals(intake, world) -> None:
    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    (proposal,) = duplicates_propose_for(repeat)
    with pytest.raises(PermissionDenied):
        duplicate_dismiss(actor=world.handler, proposal=proposal)
    with pytest.raises(PermissionDenied):
        duplicate_accept(actor=world.handler, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


def test_the_sweep_proposes_for_recent_appeals(intake, time_machine) -> None:
    time_machine.move_to(T0 + dt.timedelta(hours=4), tick=False)
    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    from shanzhi.core import clock

    assert duplicates_sweep(now=clock.now(), since=dt.timedelta(hours=6)) == 2
    assert DuplicateProposal.objects.filter(appeal=repeat).count() == 1


def test_the_task_proposes_for_one_appeal(intake) -> None:
    from shanzhi.proactive.tasks import propose_duplicates_for

    intake(phone=PHONE)
    repeat = intake(hours=3, phone=PHONE, content=SAME_MATTER)
    result = propose_duplicates_for.enqueue(repeat.pk)
    assert result.return_value == 1


# --- the pure rule ----------------------------------------------------------------------------------------------


def facts(i: int, hours: float, text: str, **kw) -> AppealFacts:
    return AppealFacts(id=i, tracking_no=f"HB{i}", created_at=T0 + dt.timedelta(hours=hours), text=bigrams(text), **kw)


def test_text_similarity_ignores_boilerplate_and_punctuation() -> None:
    a = bigrams("市民来电反映：和平社区3号楼路灯不亮！")
    b = bigrams("和平社区3号楼路灯不亮。")
    assert text_similarity(a, b) == 1.0
    assert text_similarity(bigrams("路灯不亮"), bigrams("工地噪音扰民")) == 0.0
    assert text_similarity(frozenset(), b) == 0.0


def test_rule_needs_caller_or_place_besides_text() -> None:
    conf = DuplicateSettings()
    a = facts(1, 0, SAME_MATTER)
    b = facts(2, 1, SAME_MATTER)
    assert duplicate_score(a, b, conf) is None  # identical text, nothing else in common
    c = facts(3, 1, SAME_MATTER, phone=PHONE)
    d = facts(4, 0, SAME_MATTER, phone=PHONE)
    match = duplicate_score(c, d, conf)
    assert match is not None and (match.appeal_id, match.master_id) == (3, 4)


def test_rule_same_matter_with_little_text_in_common() -> None:
    conf = DuplicateSettings()
    place = {"phone": PHONE, "area_code": "G1", "area_kind": "grid", "category_id": 7}
    a = facts(1, 0, "三号楼门口路灯不亮", **place)
    b = facts(2, 2, "晚上黑，门口路灯坏了好几天", **place)
    match = duplicate_score(b, a, conf)
    assert match is not None
    assert "同一分类" in match.reasons


def test_distance_and_interval_helpers() -> None:
    assert distance_m(106.8, 39.67, 106.8, 39.67) == 0
    assert 180 < distance_m(106.8, 39.67, 106.8, 39.6718) < 220
    assert interval_text(dt.timedelta(minutes=25)) == "间隔 25 分钟"
    assert interval_text(dt.timedelta(hours=3, minutes=10)) == "间隔 3 小时"
    assert interval_text(dt.timedelta(days=3, hours=2)) == "间隔 3 天"
