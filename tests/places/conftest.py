"""The whole district's divisions (the real 52 units) with a few numbered grids, for the gazetteer."""

from __future__ import annotations

import pytest

from shanzhi.orgs.loaders import divisions_load
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.places import gazetteer as gazetteer_module


@pytest.fixture
def divisions(db) -> dict[str, Unit]:
    divisions_load()
    for community_code in ("150302003012", "150302001002"):
        community = Unit.objects.get(code=community_code)
        short = community.name.removesuffix("居委会")
        for n in (1, 2, 3):
            Unit.objects.create(
                code=f"{community_code}{n:03d}", name=f"{short}第{n}网格", kind=UnitKind.GRID, parent=community
            )
    gazetteer_module.invalidate()
    return {u.code: u for u in Unit.objects.all()}
