"""疑似重复件 and 热点预警 on the console: scoped lists, merge/dismiss, acknowledge/close, refusals as messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shanzhi.appeals.models import AppealState
from shanzhi.console.navigation import nav_items
from shanzhi.core import clock
from shanzhi.proactive.models import DuplicateProposal, Hotspot, HotspotState, ProposalState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_classifier(monkeypatch):
    monkeypatch.setattr("shanzhi.routing.classifier.store.current_version", lambda: None)


def propose(appeal, master, *, score=0.93, reasons="同一来电人；同一网格；文本相似 0.88") -> DuplicateProposal:
    return DuplicateProposal.objects.create(
        appeal=appeal, master=master, score=score, reasons=reasons, created_at=clock.now()
    )


@pytest.fixture
def pair(intake):
    master = intake(content="和平路12号路灯不亮")
    repeat = intake(content="和平路12号门口路灯还是不亮")
    return repeat, master, propose(repeat, master)


@pytest.fixture
def hotspot(desk, intake):
    d = desk.district
    members = [intake(content=f"和平小区路灯坏了 {i}", citizen_phone=f"1380000123{i}") for i in range(3)]
    now = clock.now()
    spot = Hotspot.objects.create(
        community=d.community_a,
        area=d.grid_a,
        alert_unit=d.town_a,
        category=desk.road_light.parent,
        key=f"cat:{desk.road_light.parent_id}",
        window="24h",
        summary=desk.road_light.parent.path,
        appeal_count=3,
        caller_count=3,
        first_at=now - dt.timedelta(hours=3),
        last_at=now,
        created_at=now,
        updated_at=now,
        alert_sent=True,
        alerted_at=now,
    )
    spot.appeals.add(*members)
    return spot


def keys(user) -> set[str]:
    return {item.key for item in nav_items(user)}


# --- navigation ---------------------------------------------------------------------------------------------------


def test_nav_entries_by_role(desk, make_user):
    d = desk.district
    assert {"duplicates", "hotspots"} <= keys(desk.dispatcher)
    assert {"duplicates", "hotspots"} <= keys(desk.leader)
    assert "duplicates" not in keys(desk.operator) and "hotspots" not in keys(desk.operator)
    town_head = make_user(d.town_a, "unit_head")
    assert "hotspots" in keys(town_head) and "duplicates" not in keys(town_head)
    dept_head = make_user(d.dept_urban, "unit_head")
    assert "hotspots" not in keys(dept_head)
    assert "hotspots" not in keys(desk.town_a_handler)


# --- duplicates ---------------------------------------------------------------------------------------------------


def test_duplicates_page_shows_both_appeals_and_reasons(desk, pair, login):
    repeat, master, proposal = pair
    page = login(desk.dispatcher).get(reverse("console:duplicates")).content.decode()
    assert f'data-proposal="{proposal.pk}"' in page
    assert repeat.tracking_no in page and master.tracking_no in page
    assert "和平路12号门口路灯还是不亮" in page and "同一来电人；同一网格" in page
    assert "13800001234" not in page  # phone masked
    assert "凤凰岭街道和平路12号" not in page and "凤凰岭街道和平路***" in page  # the address too


def test_accept_merges_and_dismiss_stops_proposing(desk, pair, intake, login):
    repeat, master, proposal = pair
    other = intake(content="又一条")
    second = propose(other, master, score=0.7)
    client = login(desk.dispatcher)
    response = client.post(reverse("console:duplicate_decide", args=[proposal.pk, "accept"]), follow=True)
    assert "已将" in response.content.decode()
    repeat.refresh_from_db()
    proposal.refresh_from_db()
    assert repeat.state == AppealState.MERGED and repeat.master == master
    assert proposal.state == ProposalState.ACCEPTED and proposal.decided_by == desk.dispatcher
    client.post(reverse("console:duplicate_decide", args=[second.pk, "dismiss"]))
    second.refresh_from_db()
    assert second.state == ProposalState.DISMISSED
    other.refresh_from_db()
    assert other.state != AppealState.MERGED
    assert "暂无待确认的疑似重复件" in client.get(reverse("console:duplicates")).content.decode()


def test_deciding_twice_is_a_404_not_a_stack_trace(desk, pair, login):
    _repeat, _master, proposal = pair
    client = login(desk.dispatcher)
    client.post(reverse("console:duplicate_decide", args=[proposal.pk, "dismiss"]))
    response = client.post(reverse("console:duplicate_decide", args=[proposal.pk, "accept"]))
    assert response.status_code == 404


def test_service_refusal_is_shown_as_message(desk, pair, login, make_user):
    _repeat, _master, proposal = pair
    # a superuser without the dispatcher's role: the service refuses to dismiss
    boss = make_user(desk.district.centre, username="root")
    boss.is_superuser = True
    boss.save()
    client = login(boss)
    response = client.post(reverse("console:duplicate_decide", args=[proposal.pk, "dismiss"]), follow=True)
    assert response.status_code == 200
    assert "您的角色不能处理重复件" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


def test_duplicates_are_scoped(desk, pair, intake, login, make_user):
    d = desk.district
    _repeat, _master, proposal = pair  # both in grid A
    in_b = intake(content="清泉社区噪音扰民", area=d.grid_b)
    in_b2 = intake(content="清泉社区噪音扰民又来了", area=d.grid_b)
    proposal_b = propose(in_b2, in_b)
    town_b_dispatcher = make_user(d.town_b, "dispatcher", username="tbd")
    client = login(town_b_dispatcher)
    page = client.get(reverse("console:duplicates")).content.decode()
    assert f'data-proposal="{proposal_b.pk}"' in page
    assert f'data-proposal="{proposal.pk}"' not in page
    assert client.post(reverse("console:duplicate_decide", args=[proposal.pk, "accept"])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert login(desk.town_a_handler).get(reverse("console:duplicates")).status_code == 403


def test_unknown_decision_is_404(desk, pair, login):
    _repeat, _master, proposal = pair
    response = login(desk.dispatcher).post(reverse("console:duplicate_decide", args=[proposal.pk, "maybe"]))
    assert response.status_code == 404


def test_appeal_page_offers_merge_of_its_proposal(desk, pair, login):
    repeat, master, proposal = pair
    client = login(desk.dispatcher)
    page = client.get(reverse("console:appeal", args=[repeat.pk])).content.decode()
    assert 'id="duplicate-proposals"' in page and master.tracking_no in page
    here = reverse("console:appeal", args=[repeat.pk])
    response = client.post(reverse("console:duplicate_decide", args=[proposal.pk, "accept"]), {"next": here})
    assert response["Location"] == here
    repeat.refresh_from_db()
    assert repeat.state == AppealState.MERGED
    assert 'id="duplicate-proposals"' not in client.get(here).content.decode()


# --- hotspots ----------------------------------------------------------------------------------------------------


def test_hotspot_board_for_the_centre(desk, hotspot, login):
    page = login(desk.dispatcher).get(reverse("console:hotspots")).content.decode()
    assert f'data-hotspot="{hotspot.pk}"' in page
    assert "城乡建设/市政设施" in page and "和平社区第1网格" in page and "24小时" in page
    for member in hotspot.appeals.all():
        assert member.tracking_no in page


def test_hotspots_are_scoped_to_the_territorial_unit(desk, hotspot, login, make_user):
    d = desk.district
    head_a = make_user(d.town_a, "unit_head", username="ha")
    head_b = make_user(d.town_b, "unit_head", username="hb")
    assert f'data-hotspot="{hotspot.pk}"' in login(head_a).get(reverse("console:hotspots")).content.decode()
    client_b = login(head_b)
    page_b = client_b.get(reverse("console:hotspots")).content.decode()
    assert f'data-hotspot="{hotspot.pk}"' not in page_b and "暂无热点预警" in page_b
    url = reverse("console:hotspot_decide", args=[hotspot.pk])
    assert client_b.post(url, {"state": "closed"}).status_code == 404
    hotspot.refresh_from_db()
    assert hotspot.state == HotspotState.OPEN
    assert login(desk.operator).get(reverse("console:hotspots")).status_code == 403
    assert login(make_user(d.dept_urban, "unit_head")).get(reverse("console:hotspots")).status_code == 403


def test_a_towns_dispatcher_sees_and_handles_only_its_towns_hotspots(desk, hotspot, login, make_user):
    """The dispatcher role is the centre's desk only at the centre: a town's dispatcher is bound to the town."""
    from shanzhi.core.errors import PermissionDenied
    from shanzhi.proactive.services import hotspot_decide

    d = desk.district
    dispatcher_b = make_user(d.town_b, "dispatcher", username="db")
    page_b = login(dispatcher_b).get(reverse("console:hotspots")).content.decode()
    assert f'data-hotspot="{hotspot.pk}"' not in page_b
    with pytest.raises(PermissionDenied):
        hotspot_decide(actor=dispatcher_b, hotspot=hotspot, state=HotspotState.CLOSED, note="")
    hotspot.refresh_from_db()
    assert hotspot.state == HotspotState.OPEN
    dispatcher_a = make_user(d.town_a, "dispatcher", username="da")
    assert f'data-hotspot="{hotspot.pk}"' in login(dispatcher_a).get(reverse("console:hotspots")).content.decode()
    hotspot_decide(actor=dispatcher_a, hotspot=hotspot, state=HotspotState.ACKNOWLEDGED, note="")
    hotspot.refresh_from_db()
    assert hotspot.state == HotspotState.ACKNOWLEDGED


def test_territorial_head_acknowledges_then_closes(desk, hotspot, login, make_user):
    head_a = make_user(desk.district.town_a, "unit_head", username="ha")
    client = login(head_a)
    url = reverse("console:hotspot_decide", args=[hotspot.pk])
    page = client.post(url, {"state": "acknowledged", "note": "已安排排查"}, follow=True).content.decode()
    assert "已标记为已关注" in page
    hotspot.refresh_from_db()
    assert (hotspot.state, hotspot.note, hotspot.decided_by) == (HotspotState.ACKNOWLEDGED, "已安排排查", head_a)
    # acknowledging again is refused by the service: a message, not an error page
    page = client.post(url, {"state": "acknowledged"}, follow=True).content.decode()
    assert "热点当前状态下不能执行此操作" in page
    client.post(url, {"state": "closed"})
    hotspot.refresh_from_db()
    assert hotspot.state == HotspotState.CLOSED
    assert f'data-hotspot="{hotspot.pk}"' not in client.get(reverse("console:hotspots")).content.decode()


def test_hotspot_bad_form_is_a_message(desk, hotspot, login):
    client = login(desk.dispatcher)
    url = reverse("console:hotspot_decide", args=[hotspot.pk])
    page = client.post(url, {"state": "nonsense"}, follow=True).content.decode()
    assert "请选择处理方式" in page
    hotspot.refresh_from_db()
    assert hotspot.state == HotspotState.OPEN
