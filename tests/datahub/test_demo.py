"""The demo data goes through the real import over the grids on the map, and loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from shanzhi.core import pii
from shanzhi.datahub import demo, synthetic
from shanzhi.datahub.models import Dimension, Enterprise, HubBuilding, KeyPerson, PartyMember, PartyOrganisation, Person
from shanzhi.datahub.rules import credit_code


def test_demo_loads_every_kind_and_is_idempotent(hub):
    now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    lines = demo.demo_load(seed=7, now=now, scale="demo")
    assert len(lines) == 9 and all("错误" not in line for line in lines), lines
    assert sum("维度" in line for line in lines) == 3
    volumes = synthetic.VOLUMES["demo"]
    assert HubBuilding.objects.count() == volumes.buildings
    assert Person.objects.count() == volumes.persons
    assert Enterprise.objects.count() == volumes.enterprises
    assert KeyPerson.objects.count() == volumes.key_persons
    assert PartyOrganisation.objects.filter(kind="branch").count() == 2  # one per grid
    assert PartyMember.objects.count() == volumes.persons // 20
    person = Person.objects.order_by("id").first()
    assert pii.id_number_is_valid(person.id_number_clear()) and person.grid is not None
    credit_code(Enterprise.objects.first().credit_code)  # a valid GB 32100 code
    again = demo.demo_load(seed=7, now=now, scale="demo")
    assert all("新增 0，更新 0" in line for line in again), again
    dibao = Dimension.objects.get(code="dibao")
    assert 20 < dibao.values.count() < 120 and dibao.values.filter(value_key="1").count() == dibao.values.count()
