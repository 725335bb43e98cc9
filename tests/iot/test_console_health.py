"""The console pages of device health, care and statistics, each in the viewer's scope (and nothing outside it)."""

import datetime as dt
import json

import pytest
from conftest import alarm_payload, incoming

from shanzhi.core import clock
from shanzhi.iot import rules, selectors
from shanzhi.iot.models import CareEnrolment, Device, MaintenanceOrder
from shanzhi.iot.services import messages_ingest
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.places.register import compound_add

pytestmark = pytest.mark.django_db


def _gate_passage(gate, record_id, *, at, direction, person="P-1"):
    body = {"recordId": record_id, "openTime": at.isoformat(), "openType": "CARD", "direction": direction,
            "personId": person}  # fmt: skip
    return incoming(gate, json.dumps(rules.signed(gate.secret, body)).encode())


def test_the_live_rows_poll_with_the_same_filters_and_scope(desk, devices, login):
    a, b = devices["smoke_a"], devices["camera_b"]
    messages_ingest([incoming(a, alarm_payload(a, "m-1", at=clock.now()))])
    worker = login(desk.grid_worker_a)
    page = worker.get("/console/iot/").content.decode()
    assert 'hx-trigger="every 5s"' in page and "/console/iot/alarms/rows/?state=open" in page
    rows = worker.get("/console/iot/alarms/rows/?state=open&grid=").content.decode()
    assert rows.lstrip().startswith("<tbody") and "和平小区3号楼烟感" in rows
    camera = {"eventId": "E-1", "eventTime": clock.now().isoformat(), "algorithm": "EBIKE_IN_ELEVATOR"}
    messages_ingest([incoming(b, json.dumps(rules.signed(b.secret, camera)).encode())])
    assert "清泉小区1号梯摄像机" not in worker.get("/console/iot/alarms/rows/").content.decode()
    assert "清泉小区1号梯摄像机" in login(desk.dispatcher).get("/console/iot/alarms/rows/").content.decode()
    assert login(desk.urban_handler).get("/console/iot/alarms/rows/").status_code == 404


def test_maintenance_orders_page_for_the_maintainer_and_the_grid(desk, devices, login, make_user):
    vendor = Unit.objects.create(code="V-1", name="维保公司", kind=UnitKind.UTILITY, parent=desk.district.district)
    vendor_handler = make_user(vendor, "handler", username="v1")
    Device.objects.filter(code="SD-A-001").update(maintainer=vendor)
    smoke = devices["smoke_a"]
    messages_ingest([incoming(smoke, alarm_payload(smoke, "t-1", at=clock.now(), alarm="tamper"))])
    order = MaintenanceOrder.objects.get()
    page = login(vendor_handler).get("/console/iot/maintenance/")
    assert page.status_code == 200 and f'data-order="{order.pk}"' in page.content.decode()
    assert f'data-order="{order.pk}"' in login(desk.grid_worker_a).get("/console/iot/maintenance/").content.decode()
    assert (
        f'data-order="{order.pk}"' not in login(desk.town_b_handler).get("/console/iot/maintenance/").content.decode()
    )
    assert login(desk.urban_handler).get("/console/iot/maintenance/").status_code == 404
    assert (
        login(desk.town_b_handler).post(f"/console/iot/maintenance/{order.pk}/close/", {"note": "x"}).status_code == 404
    )
    answer = login(vendor_handler).post(f"/console/iot/maintenance/{order.pk}/close/", {"note": "已复位防拆开关"})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.state == "closed" and order.close_note == "已复位防拆开关"
    device_page = login(desk.grid_worker_a).get("/console/iot/devices/SD-A-001/").content.decode()
    assert "维保公司" in device_page and "已复位防拆开关" in device_page


def test_care_page_enrols_with_consent_and_shows_residents_masked(desk, devices, login):
    town_b = login(desk.town_b_handler)
    form = {
        "grid": desk.district.grid_b.code,
        "resident_name": "王秀兰",
        "resident_phone": "13912345678",
        "address": "清泉小区3号楼501",
        "credential": "P-7",
        "quiet_days": "3",
        "consent_method": "guardian",
    }
    town_b.post("/console/iot/care/enrol/", form)  # the consent box not ticked: refused
    assert not CareEnrolment.objects.exists()
    town_b.post("/console/iot/care/enrol/", {**form, "consent": "1"})
    enrolment = CareEnrolment.objects.get()
    assert enrolment.consent_method == "guardian" and enrolment.consent_recorded_by == desk.town_b_handler
    page = town_b.get("/console/iot/care/").content.decode()
    assert "王*兰" in page and "139****5678" in page
    assert "王秀兰" not in page and "13912345678" not in page and "P-7" not in page
    # Grid A's worker neither sees grid B's resident nor may enrol there.
    worker = login(desk.grid_worker_a)
    assert "王*兰" not in worker.get("/console/iot/care/").content.decode()
    worker.post("/console/iot/care/enrol/", {**form, "consent": "1", "credential": "P-8"})
    assert CareEnrolment.objects.count() == 1
    assert worker.post(f"/console/iot/care/{enrolment.pk}/withdraw/").status_code == 404


def test_statistics_count_entries_per_compound_and_hour(desk, devices, login):
    compound = compound_add(community=desk.district.community_b, name="清泉小区", grid=desk.district.grid_b)
    gate = devices["gate_b"]
    Device.objects.filter(pk=gate.pk).update(compound=compound)
    tz = clock.centre_tz()
    day = (clock.now() - dt.timedelta(days=1)).astimezone(tz).date()
    eight = dt.datetime.combine(day, dt.time(8, 5), tzinfo=tz)
    messages_ingest(
        [
            _gate_passage(gate, "r-1", at=eight, direction="in"),
            _gate_passage(gate, "r-2", at=eight + dt.timedelta(minutes=20), direction="in"),
            _gate_passage(gate, "r-3", at=eight + dt.timedelta(minutes=30), direction="out"),
            _gate_passage(gate, "r-4", at=eight + dt.timedelta(hours=10), direction="out"),
        ]
    )
    rows = selectors.access_by_compound_hour(
        user=desk.town_b_handler, since=dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    )
    assert [(r.compound, r.hour.astimezone(tz).hour, r.entries, r.exits) for r in rows] == [
        ("清泉小区", 8, 2, 1),
        ("清泉小区", 18, 0, 1),
    ]
    assert selectors.access_by_compound_hour(user=desk.grid_worker_a, since=eight - dt.timedelta(hours=9)) == []
    page = login(desk.town_b_handler).get(f"/console/iot/stats/?day={day.isoformat()}").content.decode()
    assert "清泉小区" in page and "08:00" in page
    assert (
        "清泉小区" not in login(desk.grid_worker_a).get(f"/console/iot/stats/?day={day.isoformat()}").content.decode()
    )
