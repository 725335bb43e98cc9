"""The opt-in care rule: enrolment with consent, passages recognised by a keyed hash only, a visit task for the
grid worker after the quiet days, personal data masked, everything in the viewer's scope."""

import datetime as dt
import json

import pytest
from conftest import incoming

from shanzhi.core import clock
from shanzhi.core.audit import AuditEntry
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.iot import care, rules
from shanzhi.iot.models import CareEnrolment, CareVisitTask, DeviceEvent
from shanzhi.iot.services import messages_ingest

pytestmark = pytest.mark.django_db

PERSON = "P-000233"


def _passage(gate, record_id, *, at, person=PERSON, direction="out"):
    body = {"recordId": record_id, "openTime": at.isoformat(), "openType": "FACE", "direction": direction,
            "personId": person}  # fmt: skip
    return incoming(gate, json.dumps(rules.signed(gate.secret, body)).encode())


def _enrol(desk, **kw):
    args = {
        "actor": desk.town_b_handler,
        "grid": desk.district.grid_b,
        "resident_name": "王秀兰",
        "resident_phone": "13912345678",
        "address": "清泉小区3号楼2单元501",
        "credential": PERSON,
        "consent_method": "written",
        "consent_note": "本人签字，社区存档",
        "quiet_days": 3,
        **kw,
    }
    return care.care_enrol(**args)


def test_enrolment_needs_consent_scope_and_a_credential_and_keeps_no_raw_id(desk, devices):
    with pytest.raises(ValidationFailed) as no_consent:
        _enrol(desk, consent_method="")
    assert no_consent.value.code == "iot_care_consent_required"
    with pytest.raises(PermissionDenied):
        _enrol(desk, actor=desk.grid_worker_a)  # grid A's worker, grid B's resident
    with pytest.raises(ValidationFailed):
        _enrol(desk, quiet_days=0)
    with pytest.raises(ValidationFailed):
        _enrol(desk, credential=" ")
    enrolment = _enrol(desk)
    assert enrolment.credential_hash and PERSON not in enrolment.credential_hash
    assert enrolment.consent_recorded_by == desk.town_b_handler and enrolment.consent_method == "written"
    with pytest.raises(ValidationFailed):
        _enrol(desk)  # already under care
    entry = AuditEntry.objects.get(action="iot.care_enrol")
    assert "王秀兰" not in json.dumps(entry.detail, ensure_ascii=False)
    shown = care.masked(enrolment)
    assert (shown.name, shown.phone) == ("王*兰", "139****5678") and "501" not in shown.address


def test_passages_of_the_resident_are_noted_and_nobody_elses_identity_is_kept(desk, devices):
    enrolment = _enrol(desk)
    gate = devices["gate_b"]
    at = clock.now()
    messages_ingest([_passage(gate, "r-1", at=at), _passage(gate, "r-2", at=at, person="P-999")])
    enrolment.refresh_from_db()
    assert enrolment.last_passage_at == at
    stored = list(DeviceEvent.objects.filter(device=gate).values_list("data", flat=True))
    assert len(stored) == 2 and all("P-" not in json.dumps(d) for d in stored)


def test_the_sweep_gives_the_grid_worker_a_visit_task_after_the_quiet_days(desk, devices, make_user):
    worker_b = make_user(desk.district.grid_b, "grid_worker", username="grid-b")
    _enrol(desk)
    seen = clock.now()
    messages_ingest([_passage(devices["gate_b"], "r-1", at=seen)])
    assert care.care_sweep(now=seen + dt.timedelta(days=2, hours=23)) == 0
    assert care.care_sweep(now=seen + dt.timedelta(days=3)) == 1
    assert care.care_sweep(now=seen + dt.timedelta(days=4)) == 0  # one open task at a time
    task = CareVisitTask.objects.get()
    assert task.assignee == worker_b and task.grid == desk.district.grid_b and task.quiet_since == seen
    # Scope: grid B's worker and the town see it; grid A's worker nothing.
    assert list(care.tasks_visible_to(worker_b)) == [task]
    assert not care.tasks_visible_to(desk.grid_worker_a).exists()
    with pytest.raises(NotFound):
        care.care_task_done(actor=desk.grid_worker_a, task_id=task.pk, outcome="x")
    with pytest.raises(ValidationFailed):
        care.care_task_done(actor=worker_b, task_id=task.pk, outcome="")
    done = care.care_task_done(actor=worker_b, task_id=task.pk, outcome="老人在家，身体无恙，近日感冒未出门")
    assert done.state == "done" and done.done_by == worker_b
    # Still unseen: the next task only after another quiet spell since the last one (day 3).
    assert care.care_sweep(now=seen + dt.timedelta(days=5, hours=23)) == 0
    assert care.care_sweep(now=seen + dt.timedelta(days=6)) == 1


def test_a_withdrawn_resident_gets_no_more_tasks(desk, devices):
    enrolment = _enrol(desk)
    care.care_withdraw(actor=desk.town_b_handler, enrolment_id=enrolment.pk, note="本人撤回同意")
    assert care.care_sweep(now=clock.now() + dt.timedelta(days=30)) == 0
    assert not CareEnrolment.objects.get().is_active
    with pytest.raises(NotFound):
        care.care_withdraw(actor=desk.grid_worker_a, enrolment_id=enrolment.pk)
