"""Console tests on the shared desk (``tests/desk.py``): a catalogue without an assisting unit, a reply template,
and hotline appeals with an address."""

from __future__ import annotations

import pytest

from shanzhi.appeals.models import ReplyTemplate


@pytest.fixture
def desk_assisting() -> bool:
    return False


@pytest.fixture
def desk(desk):
    ReplyTemplate.objects.create(name="已解决", body="您反映的问题（{tracking_no}）已由{unit}处理：{feedback}")
    return desk


@pytest.fixture
def intake_defaults(intake_defaults) -> dict:
    return {**intake_defaults, "citizen_name": "张三丰", "address": "凤凰岭街道和平路12号"}
