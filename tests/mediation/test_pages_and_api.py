"""Console pages and the API: the menu entry, the forms of the loop, masking and the logged full view, and for each
read a user outside the scope who gets nothing."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import Permission
from docx import Document

from shanzhi.core import clock
from shanzhi.core.models import PersonalDataAccess
from shanzhi.mediation import services
from shanzhi.mediation.models import Case, CaseState, ScreeningReport

pytestmark = pytest.mark.django_db


def _agreed(case, med):
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case, committee=med.committee)
    session = services.session_book(actor=user, case=case, slot=med.slots[0])
    services.session_record(actor=user, session=session, record="双方到场。")
    services.agreement_make(actor=user, case=case, terms="赔偿3000元", performance_method="转账",
                            performance_due=clock.local_date() + dt.timedelta(days=5))  # fmt: skip
    return Case.objects.get(pk=case.pk)


def test_menu_entry_and_page_for_mediation_staff_only(desk, med, login):
    page = login(med.mediator.user).get("/console/mediation/")
    assert page.status_code == 200
    assert 'href="/console/mediation/"' in page.content.decode()
    workbench = login(desk.urban_handler).get("/console/")
    assert workbench.status_code == 200 and 'href="/console/"' in workbench.content.decode()
    assert "/console/mediation/" not in workbench.content.decode()
    assert login(desk.urban_handler).get("/console/mediation/").status_code == 403


def test_screening_form_then_case_from_it_through_the_console(desk, med, login):
    grid = login(desk.grid_worker_a)
    today = clock.local_date()
    response = grid.post("/console/mediation/screening/new/", {
        "unit": desk.district.grid_a.pk, "period_start": today.isoformat(), "period_end": today.isoformat(),
        "domain": "neighbours", "risk_level": "high", "dispute_count": 1, "summary": "楼上漏水，矛盾激化",
    })  # fmt: skip
    assert response.status_code == 302
    report = ScreeningReport.objects.get()
    assert report.alert
    mediator = login(med.mediator.user)
    assert "1 条高风险待处置" in mediator.get("/console/mediation/").content.decode()
    response = mediator.post(f"/console/mediation/cases/new/?report={report.pk}", {
        "report": report.pk, "source": "screening", "unit": desk.district.grid_a.pk, "domain": "neighbours",
        "risk_level": "high", "title": "漏水纠纷", "facts": "楼上漏水", "applicant_name": "李建国",
        "applicant_phone": "13912345678", "applicant_id_number": "", "applicant_address": "",
        "respondent_name": "王秀英", "respondent_phone": "", "respondent_address": "",
    })  # fmt: skip
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/mediation/cases/{case.pk}/"
    assert case.screening_report == report and case.source == "screening"
    response = mediator.post(f"/console/mediation/cases/{case.pk}/actions/assign/", {"committee": med.committee.pk})
    assert Case.objects.get().state == CaseState.ASSIGNED
    mediator.post(f"/console/mediation/cases/{case.pk}/actions/book/", {"slot": med.slots[0].pk})
    assert Case.objects.get().state == CaseState.SCHEDULED
    html = mediator.get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert "李*国" in html and "李建国" not in html and "13912345678" not in html
    for kind in ("registered", "assigned", "session_booked"):
        assert f'data-kind="{kind}"' in html


def test_full_view_needs_the_permission_and_is_logged(desk, med, case_of, login):
    case = case_of()
    user = med.mediator.user
    denied = login(user).post(f"/console/mediation/cases/{case.pk}/reveal/", {"reason": "核对身份"}, follow=True)
    assert "李建国" not in denied.content.decode() and PersonalDataAccess.objects.count() == 0
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    shown = login(user).post(f"/console/mediation/cases/{case.pk}/reveal/", {"reason": "核对身份"})
    assert "李建国" in shown.content.decode() and "150302198001011237" in shown.content.decode()
    log = PersonalDataAccess.objects.get()
    assert log.subject_type == "mediation.case" and log.reason == "核对身份"
    agreed = _agreed(case, med)
    response = login(user).get(f"/console/mediation/cases/{agreed.pk}/agreement.docx?full=1&reason=当事人签字")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "申请人：李建国" in text
    assert PersonalDataAccess.objects.filter(action="export", subject_type="mediation.agreement").count() == 1
    masked = login(user).get(f"/console/mediation/cases/{agreed.pk}/agreement.docx")
    assert "李建国，" not in "\n".join(p.text for p in Document(io.BytesIO(masked.content)).paragraphs)
    pdf = login(user).get(f"/console/mediation/cases/{agreed.pk}/agreement.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_outside_the_scope_gets_nothing(desk, med, case_of, screening, login):
    case = _agreed(case_of(), med)  # grid A, centre's committee
    insider = login(med.mediator.user).get("/console/mediation/")
    assert insider.status_code == 200 and case.number in insider.content.decode()  # the positive control
    for outsider in (med.grid_worker_b, med.mediator_b.user, desk.town_b_handler):
        client = login(outsider)
        listing = client.get("/console/mediation/")
        assert listing.status_code in (200, 403)
        if listing.status_code == 200:
            assert 'href="/console/mediation/"' in listing.content.decode()  # the listing it meant, without the case
        assert case.number not in listing.content.decode()
        assert client.get(f"/console/mediation/cases/{case.pk}/").status_code in (403, 404)
        assert client.get(f"/console/mediation/cases/{case.pk}/agreement.docx").status_code in (403, 404)
        post = client.post(
            f"/console/mediation/cases/{case.pk}/actions/follow_up/", {"performance": "full", "note": "x"}
        )
        assert post.status_code in (403, 404)
        assert client.get("/api/v1/mediation/cases").json() in ([], {"code": "forbidden"})
        assert client.get(f"/api/v1/mediation/cases/{case.pk}").status_code == 404
        assert client.get("/api/v1/mediation/screening-reports").json() == []
    # inside: the town's unit head above grid A sees it; the grid worker of grid A sees its own screening reports
    assert login(med.town_a_head).get(f"/api/v1/mediation/cases/{case.pk}").status_code == 200
    assert len(login(desk.grid_worker_a).get("/api/v1/mediation/screening-reports").json()) == 1


def test_api_reads_masked_and_books_one_session_per_slot(desk, med, case_of, login):
    user = med.mediator.user
    one = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    two = services.case_assign(actor=user, case=case_of(), committee=med.committee, mediator=med.mediator)
    client = login(user)
    detail = client.get(f"/api/v1/mediation/cases/{one.pk}").json()
    assert {p["name"] for p in detail["parties"]} == {"李*国", "王*英"}
    assert "150302198001011237" not in json.dumps(detail, ensure_ascii=False)
    slots = client.get(f"/api/v1/mediation/slots?committee_id={med.committee.pk}").json()
    assert [s["id"] for s in slots] == [s.pk for s in med.slots]
    first = client.post(f"/api/v1/mediation/cases/{one.pk}/sessions", {"slot_id": med.slots[0].pk},
                        content_type="application/json")  # fmt: skip
    assert first.status_code == 201
    second = client.post(f"/api/v1/mediation/cases/{two.pk}/sessions", {"slot_id": med.slots[0].pk},
                         content_type="application/json")  # fmt: skip
    assert second.status_code == 409 and second.json()["code"] == "slot_taken"
    assert med.slots[0].pk not in [s["id"] for s in client.get("/api/v1/mediation/slots").json()]
    kinds = [e["kind"] for e in client.get(f"/api/v1/mediation/cases/{one.pk}").json()["timeline"]]
    assert kinds == ["registered", "assigned", "session_booked"]


def test_a_committees_mediator_sees_the_unassigned_cases_of_its_area_and_its_own(
    desk, med, case_of, screening, make_user
):
    from shanzhi.mediation import selectors
    from shanzhi.mediation.models import Committee, Mediator

    # A committee seated at a stationed department that serves 新华街道: its mediator sits at the department.
    committee = Committee.objects.create(code="TW-ZJ", name="物业纠纷调解委员会", unit=desk.district.dept_housing,
                                         area=desk.district.town_b)  # fmt: skip
    user = make_user(desk.district.dept_housing, "mediator", username="med-zj")
    mediator = Mediator.objects.create(user=user, committee=committee, domains=["neighbours"])
    town_b_case = case_of(report=screening(actor=med.grid_worker_b, unit=desk.district.grid_b))
    grid_a_case = case_of()
    assert list(selectors.cases_visible_to(user)) == [town_b_case]  # its area's unassigned case, not grid A's
    services.case_assign(actor=desk.dispatcher, case=town_b_case, committee=med.committee, mediator=med.mediator)
    assert not selectors.cases_visible_to(user).exists()  # taken by another committee
    services.case_assign(actor=desk.dispatcher, case=grid_a_case, committee=committee, mediator=mediator)
    assert list(selectors.cases_visible_to(user)) == [grid_a_case]  # now its committee's case


def test_an_appeal_is_handed_over_in_the_console_within_the_users_scope(desk, med, intake, login):
    appeal = intake(content="楼上邻居装修噪音扰民，协商无果", category=desk.property_service)
    body = {"tracking_no": appeal.tracking_no, "domain": "neighbours", "title": "装修噪音", "respondent_name": "赵六"}
    outsider = login(med.mediator_b.user).post("/console/mediation/cases/from-appeal/", body)
    assert outsider.status_code == 422 and not appeal.mediation_cases.exists()  # not an appeal it may see
    response = login(desk.dispatcher).post("/console/mediation/cases/from-appeal/", body)
    case = appeal.mediation_cases.get()
    assert response.status_code == 302 and response["Location"] == f"/console/mediation/cases/{case.pk}/"
    page = login(desk.dispatcher).get(response["Location"]).content.decode()
    assert f'href="/console/appeals/{appeal.pk}/"' in page and appeal.tracking_no in page
