"""诉求转调解 on the console's appeal page: the rule that says an appeal is a dispute, the panel for the desk, the
conversion (linked both ways), and who gets nothing."""

from __future__ import annotations

import re

import pytest

from shanzhi.core.errors import TransitionNotAllowed
from shanzhi.mediation import rules, services
from shanzhi.mediation.models import Case
from shanzhi.mediation.services import PartyIn

NOISE = "楼上邻居装修噪音扰民，多次协商无果，希望调解"


def test_dispute_rule_reads_category_then_words():
    assert rules.appeal_is_dispute(category_path="政法/矛盾纠纷/邻里纠纷", text="")
    assert rules.appeal_is_dispute(category_path="城乡建设/物业管理/物业服务", text="与物业协商无果")
    assert not rules.appeal_is_dispute(category_path="城乡建设/市政设施/路灯损坏", text="小区门口路灯不亮")
    assert rules.domain_suggest(category_path="政法/矛盾纠纷/家庭婚姻纠纷", text="欠款不还") == "family"
    assert rules.domain_suggest(category_path="", text="老板拖欠工资三个月") == "labour"
    assert rules.domain_suggest(category_path="", text="说不清") == ""
    assert not rules.appeal_convertible("merged") and rules.appeal_convertible("dispatched")


def test_the_desk_converts_from_the_appeal_page_and_both_pages_link(desk, med, intake, login):
    appeal = intake(content=NOISE, category=desk.property_service)
    client = login(desk.dispatcher)
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert 'id="mediation-convert-form"' in page
    assert re.search(r'<option value="property" selected>', page)  # the category suggests the domain
    response = client.post(
        f"/console/mediation/appeals/{appeal.pk}/convert/",
        {"domain": "neighbours", "respondent_name": "赵六", "title": "装修噪音"},
    )
    assert response.status_code == 302 and response["Location"] == f"/console/appeals/{appeal.pk}/"
    case = Case.objects.get(appeal=appeal)
    assert case.source == "appeal" and case.domain == "neighbours"
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert f'href="/console/mediation/cases/{case.pk}/" id="mediation-case-link">{case.number}' in page
    assert 'id="mediation-convert-form"' not in page
    case_page = client.get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert f'href="/console/appeals/{appeal.pk}/" id="case-appeal">{appeal.tracking_no}' in case_page
    again = client.post(f"/console/mediation/appeals/{appeal.pk}/convert/", {"domain": "neighbours",
                                                                           "respondent_name": "赵六"})  # fmt: skip
    assert again.status_code == 302 and Case.objects.filter(appeal=appeal).count() == 1


def test_no_panel_for_other_appeals_or_other_roles(desk, med, intake, login):
    lamp = intake()  # a broken street light is no dispute
    assert 'id="mediation-panel"' not in login(desk.dispatcher).get(f"/console/appeals/{lamp.pk}/").content.decode()
    dispute = intake(content=NOISE, category=desk.property_service)
    operator = login(desk.operator)  # sees the appeal, is not the mediation desk
    assert 'id="mediation-convert-form"' not in operator.get(f"/console/appeals/{dispute.pk}/").content.decode()
    refused = operator.post(f"/console/mediation/appeals/{dispute.pk}/convert/",
                            {"domain": "neighbours", "respondent_name": "赵六"})  # fmt: skip
    assert refused.status_code == 403 and not Case.objects.exists()


def test_an_appeal_outside_the_users_sight_is_not_found(desk, med, intake, login):
    dispute = intake(content=NOISE, category=desk.property_service)
    # the other town's mediator: on the mediation desk, but the appeal (grid A) is not theirs to see
    response = login(med.mediator_b.user).post(
        f"/console/mediation/appeals/{dispute.pk}/convert/", {"domain": "neighbours", "respondent_name": "赵六"}
    )
    assert response.status_code == 404 and not Case.objects.exists()
    # positive control: the centre's dispatcher converts it
    response = login(desk.dispatcher).post(
        f"/console/mediation/appeals/{dispute.pk}/convert/", {"domain": "neighbours", "respondent_name": "赵六"}
    )
    assert response.status_code == 302 and Case.objects.filter(appeal=dispute).exists()


def test_a_rejected_appeal_is_not_converted(desk, med, intake):
    from shanzhi.appeals.models import Appeal

    appeal = intake(content=NOISE, category=desk.property_service)
    Appeal.objects.filter(pk=appeal.pk).update(state="rejected")
    appeal.refresh_from_db()
    with pytest.raises(TransitionNotAllowed) as caught:
        services.case_from_appeal(actor=desk.dispatcher, appeal=appeal, domain="neighbours",
                                  respondent=PartyIn("respondent", "赵六"))  # fmt: skip
    assert caught.value.code == "appeal_not_convertible" and not Case.objects.exists()
