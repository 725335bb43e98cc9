import datetime as dt

import pytest
from desk import boundaries_create

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.iot.demo import demo_load
from shanzhi.iot.models import Alarm, Device, DeviceEvent, MaintenanceOrder, RejectedMessage

pytestmark = pytest.mark.django_db


def test_the_demo_puts_devices_in_the_grids_and_runs_messages_through_the_ingest_once(desk):
    boundaries_create(desk.district)
    now = clock.now()
    lines = demo_load(seed=7, now=now, scale="demo")
    assert "物联感知" in lines[0]
    assert Device.objects.count() == 10  # 5 kinds in each of the 2 grids
    assert {d.grid_id for d in Device.objects.all()} == {desk.district.grid_a.pk, desk.district.grid_b.pk}
    # Each device lies inside its grid's box.
    for device in Device.objects.select_related("grid"):
        west, east = (106.75, 106.82) if device.grid == desk.district.grid_a else (106.82, 106.90)
        assert west <= device.longitude <= east
    smoke = Alarm.objects.get(alarm_type="smoke")
    assert smoke.event_count == 3 and smoke.appeal is not None
    false_fire = Alarm.objects.select_related("appeal").get(alarm_type="fire", state="false")
    assert false_fire.appeal.state == "closed"  # the false verdict closed its appeal
    assert MaintenanceOrder.objects.filter(reason="low_battery", state="open").count() == 1
    assert RejectedMessage.objects.count() == 2
    counts = (
        Device.objects.count(),
        DeviceEvent.objects.count(),
        Alarm.objects.count(),
        Appeal.objects.count(),
        RejectedMessage.objects.count(),
        MaintenanceOrder.objects.count(),
    )
    demo_load(seed=7, now=now + dt.timedelta(minutes=1), scale="demo")
    assert counts == (
        Device.objects.count(),
        DeviceEvent.objects.count(),
        Alarm.objects.count(),
        Appeal.objects.count(),
        RejectedMessage.objects.count(),
        MaintenanceOrder.objects.count(),
    )
