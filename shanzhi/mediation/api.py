"""The mediation part of the REST API ``/api/v1/mediation/``: reads in the caller's scope (parties masked) and the
booking of a session, which answers 409 ``slot_taken`` to the loser of a race for a slot."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status

from shanzhi.appeals.api_schemas import ErrorOut, Id
from shanzhi.core import clock
from shanzhi.core.errors import NotFound
from shanzhi.core.ids import MAX_ID
from shanzhi.mediation import policy, selectors, services
from shanzhi.mediation.models import Case, CaseEvent, Committee, ScreeningReport, Slot
from shanzhi.orgs.models import User

router = Router(tags=["mediation"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class PartyOut(Schema):
    role: str
    name: str
    phone: str
    id_number: str


class EventOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    actor: str
    note: str


class CaseOut(Schema):
    id: int
    number: str
    source: str
    domain: str
    title: str
    state: str
    risk_level: str
    unit: str
    committee: str | None
    mediator: str | None
    created_at: dt.datetime
    due_at: dt.datetime
    appeal_tracking_no: str | None


class CaseDetailOut(CaseOut):
    facts: str
    parties: list[PartyOut]
    timeline: list[EventOut]
    agreement_number: str | None


class ScreeningOut(Schema):
    id: int
    unit: str
    period_start: dt.date
    period_end: dt.date
    domain: str
    risk_level: str
    alert: bool
    dispute_count: int


class SlotOut(Schema):
    id: int
    room: str
    committee_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class BookIn(Schema):
    slot_id: Id


class SessionOut(Schema):
    id: int
    case_id: int
    slot_id: int
    state: str


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _case_dict(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "source": case.source,
        "domain": case.domain,
        "title": case.title,
        "state": case.state,
        "risk_level": case.risk_level,
        "unit": case.unit.name,
        "committee": case.committee.name if case.committee else None,
        "mediator": str(case.mediator.user) if case.mediator else None,
        "created_at": case.created_at,
        "due_at": case.due_at,
        "appeal_tracking_no": case.appeal.tracking_no if case.appeal else None,
    }


def _event_dict(event: CaseEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "label": event.get_kind_display(),
        "at": event.at,
        "actor": str(event.actor) if event.actor else "",
        "note": event.note,
    }


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, summary="纠纷案件（本人范围内）")
def case_list(
    request: HttpRequest, state: Annotated[str, Query(max_length=12, pattern=r"^[a-z_]*$")] = ""
) -> list[dict[str, Any]]:
    cases = selectors.cases_visible_to(_user(request))
    if state:
        cases = cases.filter(state=state)
    return [_case_dict(c) for c in cases[:200]]


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="纠纷案件详情（当事人信息脱敏）")
def case_detail(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    case = selectors.case_get(user=_user(request), pk=case_id)
    agreement = getattr(case, "agreement", None)
    return {
        **_case_dict(case),
        "facts": case.facts,
        "parties": [
            {"role": p.role, "name": p.name_masked, "phone": p.phone_masked, "id_number": p.id_number_masked}
            for p in case.parties.all()
        ],
        "timeline": [_event_dict(e) for e in selectors.case_timeline(case=case)],
        "agreement_number": agreement.number if agreement else None,
    }


@router.post(
    "/cases/{case_id}/sessions",
    response={201: SessionOut, **ERRORS},
    summary="预约调解时段（同一时段只有一个预约成功）",
)
def session_book(request: HttpRequest, case_id: PathId, body: BookIn) -> Status:
    user = _user(request)
    case = selectors.case_get(user=user, pk=case_id)
    slot = Slot.objects.filter(pk=body.slot_id).first()
    if slot is None:
        raise NotFound()
    session = services.session_book(actor=user, case=case, slot=slot)
    return Status(201, {"id": session.pk, "case_id": case.pk, "slot_id": slot.pk, "state": session.state})


@router.get("/screening-reports", response={200: list[ScreeningOut], **ERRORS}, summary="排查报告（本人范围内）")
def screening_list(request: HttpRequest) -> list[dict[str, Any]]:
    reports: list[ScreeningReport] = list(selectors.screening_reports_visible_to(_user(request))[:200])
    return [
        {
            "id": r.pk,
            "unit": r.unit.name,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "domain": r.domain,
            "risk_level": r.risk_level,
            "alert": r.alert,
            "dispute_count": r.dispute_count,
        }
        for r in reports
    ]


@router.get("/slots", response={200: list[SlotOut], **ERRORS}, summary="空闲调解时段")
def slot_list(
    request: HttpRequest, committee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> list[dict[str, Any]]:
    if not policy.may_open(_user(request)):
        return []
    committee = Committee.objects.filter(pk=committee_id).first() if committee_id else None
    if committee_id and committee is None:
        return []
    slots = selectors.free_slots(committee=committee, after=clock.now())[:100]
    return [
        {"id": s.pk, "room": str(s.room), "committee_id": s.room.committee_id, "starts_at": s.starts_at,
         "ends_at": s.ends_at}
        for s in slots
    ]  # fmt: skip
