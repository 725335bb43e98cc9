"""The desk's demo tests count what the desk's loader makes; the capabilities' own demos (which add appeals of
their own: city orders, alarms, field reports) are left out unless a test asks for them with ``with_app_demos``."""

from __future__ import annotations

import pytest

from shanzhi.demo import extensions


@pytest.fixture
def with_app_demos() -> bool:
    return True


@pytest.fixture(autouse=True)
def _desk_demo_only(request, monkeypatch):
    if "with_app_demos" not in request.fixturenames:
        monkeypatch.setattr(extensions, "app_demos", lambda: iter(()))
