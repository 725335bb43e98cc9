"""信息更正: a grid worker proposes, the community reviews, only an approved proposal changes the hub (issue 13 item
3, issue 14 item 7); old and new values kept, a phone masked and its clear value gone after the review."""

from __future__ import annotations

import pytest

from shanzhi.core import pii
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.datahub import proposals
from shanzhi.datahub.models import ChangeProposal, HubBuilding, Person, ProposalState

from .conftest import xlsx
from .test_import import persons_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(load, buildings_file, hub):
    assert load("buildings", buildings_file).ok
    assert load("persons", xlsx(persons_rows(broken=False))).ok
    return hub


def test_clean_values_are_checked_with_codes():
    residence, _relation, phone = proposals.FIELDS["person"]
    assert proposals.clean_value(residence, "流动人口") == "floating"
    assert proposals.clean_value(phone, "139 1234 5678") == "13912345678"
    assert proposals.clean_value(phone, "") == ""
    floors = proposals.FIELDS["building"][3]
    for spec, raw, code in [
        (residence, "外星人口", "proposal_choice_invalid"),
        (residence, "", "proposal_value_required"),
        (phone, "12345", "proposal_phone_invalid"),
        (floors, "0", "proposal_out_of_range"),
        (floors, "七", "proposal_out_of_range"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            proposals.clean_value(spec, raw)
        assert refused.value.code == code


def test_a_grid_workers_correction_changes_nothing_until_the_community_approves(people):
    hub = people
    zhang = Person.objects.get(name="张三")
    proposal = proposals.proposal_submit(
        actor=hub.grid_worker_a,
        kind="person",
        element_id=zhang.pk,
        values={"residence": "流动人口", "relation": "head", "phone": "13987654321"},
        note="入户走访得知已外出务工",
    )
    assert set(proposal.changes) == {"residence", "phone"}  # the relation was already 户主
    assert proposal.changes["phone"] == {"old": "138****1234", "new": "139****4321"}
    assert "13987654321" not in str(proposal.changes) + str(proposal.values)
    zhang.refresh_from_db()
    assert zhang.residence == "registered" and zhang.phone_clear() == "13800001234"

    assert [p.pk for p in proposals.proposals_to_review(hub.community_head)] == [proposal.pk]
    assert list(proposals.proposals_to_review(hub.grid_worker_a)) == []  # a worker does not review
    with pytest.raises(PermissionDenied):
        proposals.proposal_review(actor=hub.grid_worker_a, proposal_id=proposal.pk, approve=True)

    reviewed = proposals.proposal_review(actor=hub.community_head, proposal_id=proposal.pk, approve=True, note="属实")
    assert reviewed.state == ProposalState.APPROVED and reviewed.phone_cipher == ""
    zhang.refresh_from_db()
    assert zhang.residence == "floating" and zhang.phone_clear() == "13987654321"
    assert zhang.phone_hash == pii.blind_index("13987654321") and zhang.phone_masked == "139****4321"
    with pytest.raises(TransitionNotAllowed) as twice:
        proposals.proposal_review(actor=hub.community_head, proposal_id=proposal.pk, approve=True)
    assert twice.value.code == "proposal_already_reviewed"


def test_outside_the_scope_nothing_to_propose_nothing_to_review(people, make_user):
    hub = people
    wang = Person.objects.get(name="王五")  # grid B
    with pytest.raises(NotFound):
        proposals.proposal_submit(actor=hub.grid_worker_a, kind="person", element_id=wang.pk, values={"relation": ""})
    proposal = proposals.proposal_submit(
        actor=hub.grid_worker_b, kind="person", element_id=wang.pk, values={"residence": "常住人口"}
    )
    # The head of 和平社区 (grid A's community) neither sees nor reviews a grid B proposal; the centre does.
    assert list(proposals.proposals_to_review(hub.community_head)) == []
    with pytest.raises(NotFound):
        proposals.proposal_review(actor=hub.community_head, proposal_id=proposal.pk, approve=True)
    assert [p.pk for p in proposals.proposals_to_review(hub.importer)] == [proposal.pk]
    with pytest.raises(PermissionDenied):
        proposals.proposal_submit(actor=hub.department, kind="person", element_id=wang.pk, values={"relation": ""})


def test_no_one_approves_their_own_and_a_rejection_needs_a_reason(people):
    hub = people
    building = HubBuilding.objects.get(code="B-A-001")
    own = proposals.proposal_submit(
        actor=hub.community_head, kind="building", element_id=building.pk, values={"floors": "7"}
    )
    with pytest.raises(PermissionDenied) as refused:
        proposals.proposal_review(actor=hub.community_head, proposal_id=own.pk, approve=True)
    assert refused.value.code == "proposal_own"
    with pytest.raises(ValidationFailed):
        proposals.proposal_review(actor=hub.importer, proposal_id=own.pk, approve=False)
    rejected = proposals.proposal_review(actor=hub.importer, proposal_id=own.pk, approve=False, note="与住建局数据不符")
    assert rejected.state == ProposalState.REJECTED
    building.refresh_from_db()
    assert building.floors == 6


def test_a_proposal_overtaken_by_another_change_is_stale_and_applies_nothing(people):
    hub = people
    building = HubBuilding.objects.get(code="B-A-001")
    first = proposals.proposal_submit(
        actor=hub.grid_worker_a, kind="building", element_id=building.pk, values={"floors": "7"}
    )
    second = proposals.proposal_submit(
        actor=hub.grid_worker_a, kind="building", element_id=building.pk, values={"floors": "8"}
    )
    proposals.proposal_review(actor=hub.community_head, proposal_id=first.pk, approve=True)
    with pytest.raises(TransitionNotAllowed) as stale:
        proposals.proposal_review(actor=hub.community_head, proposal_id=second.pk, approve=True)
    assert stale.value.code == "proposal_stale"
    building.refresh_from_db()
    assert building.floors == 7
    assert ChangeProposal.objects.get(pk=second.pk).state == ProposalState.STALE


def test_no_change_is_refused(people):
    hub = people
    zhang = Person.objects.get(name="张三")
    with pytest.raises(ValidationFailed) as refused:
        proposals.proposal_submit(
            actor=hub.grid_worker_a, kind="person", element_id=zhang.pk, values={"residence": "户籍人口"}
        )
    assert refused.value.code == "proposal_no_change"


def test_console_propose_from_the_card_and_review_on_the_list(people, login):
    hub = people
    zhang = Person.objects.get(name="张三")
    worker = login(hub.grid_worker_a)
    card = worker.get(f"/console/datahub/persons/{zhang.pk}/").content.decode()
    assert "提出信息更正" in card and "13800001234" not in card
    sent = worker.post(
        f"/console/datahub/proposals/new/person/{zhang.pk}/", {"residence": "resident", "relation": "head"}
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?proposed=1")
    bad = worker.post(f"/console/datahub/proposals/new/person/{zhang.pk}/", {"phone": "12345"})
    assert bad["Location"].endswith("?proposal_error=proposal_phone_invalid")
    wang = Person.objects.get(name="王五")
    assert worker.post(f"/console/datahub/proposals/new/person/{wang.pk}/", {"relation": ""}).status_code == 404

    head = login(hub.community_head)
    listing = head.get("/console/datahub/proposals/").content.decode()
    assert "户籍人口 → <strong>常住人口</strong>" in listing
    proposal = ChangeProposal.objects.get()
    assert head.post("/console/datahub/proposals/", {"proposal": proposal.pk, "decision": "approve"}).status_code == 302
    zhang.refresh_from_db()
    assert zhang.residence == "resident"
    assert "已采纳" in worker.get("/console/datahub/proposals/").content.decode()
