"""纠纷预约 from the portal: a signed-in citizen books a free slot, sees and cancels their own; the slot is then
neither bookable by another citizen nor by a session; the desk accepts the appointment as a case whose first
session takes that slot."""

from __future__ import annotations

import pytest

from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from shanzhi.mediation import appointments, services
from shanzhi.mediation.models import Appointment, AppointmentState, CaseSource
from shanzhi.mediation.views_portal import PORTAL_PHONE_KEY
from shanzhi.portal.citizen import PHONE_KEY

pytestmark = pytest.mark.django_db

PHONE = "13811112222"


def _book(slot, phone=PHONE, **kw):
    values = {"name": "刘芳", "domain": "tenancy", "description": "退租押金被扣，协商不成"}
    return appointments.appointment_book(phone=phone, slot=slot, **{**values, **kw})


def test_the_portal_session_key_is_the_portals():
    assert PORTAL_PHONE_KEY == PHONE_KEY


def test_book_cancel_and_the_slot_is_held(desk, med, case_of):
    slot = med.slots[0]
    with pytest.raises(PermissionDenied):
        _book(slot, phone="")
    appointment = _book(slot)
    with pytest.raises(Conflict):
        _book(slot, phone="13833334444")  # another citizen
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    with pytest.raises(Conflict):
        services.session_book(actor=user, case=case, slot=slot)  # a session neither
    with pytest.raises(NotFound):
        appointments.appointment_cancel(phone="13833334444", appointment_id=appointment.pk)  # not theirs
    appointments.appointment_cancel(phone=PHONE, appointment_id=appointment.pk)
    with pytest.raises(TransitionNotAllowed):
        appointments.appointment_cancel(phone=PHONE, appointment_id=appointment.pk)
    assert services.session_book(actor=user, case=case, slot=slot).slot == slot  # free again
    with pytest.raises(Conflict):
        _book(slot)  # now the session holds it


def test_the_desk_accepts_an_appointment_as_a_case_on_its_slot(desk, med, login):
    appointment = _book(med.slots[1])
    response = login(med.mediator.user).post(
        f"/console/mediation/appointments/{appointment.pk}/accept/",
        {"unit": desk.district.community_a.pk, "respondent": "房东孙某"},
    )
    appointment.refresh_from_db()
    case = appointment.case
    assert response.status_code == 302 and response["Location"] == f"/console/mediation/cases/{case.pk}/"
    assert appointment.state == AppointmentState.ACCEPTED and case.source == CaseSource.PORTAL
    assert case.parties.get(role="applicant").phone == PHONE
    case = services.case_assign(actor=med.mediator.user, case=case, committee=med.committee)
    page = login(med.mediator.user).get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert f'<option value="{med.slots[1].pk}">' in page  # the appointment's slot is offered first
    assert services.session_book(actor=med.mediator.user, case=case, slot=med.slots[1]).case == case


def test_portal_pages(desk, med, client):
    page = client.get("/m/mediation/")
    assert page.status_code == 200 and "手机号登录后预约" in page.content.decode()
    response = client.post("/m/mediation/", {"slot": med.slots[0].pk, "name": "刘芳", "domain": "tenancy",
                                             "description": "押金"})  # fmt: skip
    assert response.status_code == 302 and "/m/signin/" in response["Location"]
    session = client.session
    session[PHONE_KEY] = PHONE
    session.save()
    response = client.post("/m/mediation/", {"slot": med.slots[0].pk, "name": "刘芳", "domain": "tenancy",
                                             "description": "退租押金被扣"})  # fmt: skip
    assert response.status_code == 302
    page = client.get("/m/mediation/").content.decode()
    assert "预约成功" in page and "138****2222" in page and "退租" not in page.split("我的预约")[0][-10:]
    appointment = Appointment.objects.get()
    assert f'<option value="{med.slots[0].pk}"' not in page  # no longer free
    taken = client.post("/m/mediation/", {"slot": med.slots[0].pk, "name": "刘芳", "domain": "tenancy",
                                          "description": "再约"})  # fmt: skip
    assert taken.status_code == 422  # the slot is not among the choices any more
    client.post(f"/m/mediation/{appointment.pk}/cancel/")
    assert Appointment.objects.get().state == AppointmentState.CANCELLED
    other = type(client)()
    assert other.post(f"/m/mediation/{appointment.pk}/cancel/").status_code == 302  # not signed in: nothing
