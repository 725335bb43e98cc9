"""Knowledge-base fixtures: the seed set loaded against a few real categories and departments."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.routing.models import Category

# A day inside the seed set's current heating season and insurance year.
SEED_DAY = dt.date(2026, 12, 1)


@pytest.fixture
def seeded(district):
    housing = Category.objects.create(code="01", name="城乡建设")
    security = Category.objects.create(code="0101", name="住房保障", parent=housing)
    Category.objects.create(code="010101", name="公租房申请", parent=security)
    utilities = Category.objects.create(code="04", name="供水供电供气供热")
    heating = Category.objects.create(code="0401", name="供热", parent=utilities)
    Category.objects.create(code="040103", name="供热收费", parent=heating)
    Category.objects.create(code="040104", name="停热与延迟供热", parent=heating)
    Unit.objects.create(code="D-MZ", name="海勃湾区民政局", kind=UnitKind.DEPARTMENT, parent=district.district)
    from shanzhi.knowledge.seed import seed_load

    return seed_load()
