"""Shared fixtures: a small district to test against, staff users with roles, and a small catalogue.

The tree (codes are real 海勃湾区 codes, grids extend them):
  乌海市 150300000000 → 海勃湾区 150302000000 → 凤凰岭街道 150302001000 → 和平社区 150302001002 → grid …002001
                                            → 新华街道   150302003000 → 清泉社区 150302003012 → grid …012001
  centre 150302-ZX (社会治理中心), departments D-ZJ (住建局), D-CG (城管局)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from shanzhi.appeals.models import RejectReason
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.routing.models import Category, DispatchRule


@dataclass
class District:
    city: Unit
    district: Unit
    town_a: Unit
    community_a: Unit
    grid_a: Unit
    town_b: Unit
    community_b: Unit
    grid_b: Unit
    centre: Unit
    dept_housing: Unit
    dept_urban: Unit


def _unit(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)


@pytest.fixture(scope="session")
def _empty_model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("routing-models")


@pytest.fixture(autouse=True)
def _fresh_caches_and_immediate_tasks(settings, _empty_model_dir):
    """Tasks run inline in tests; in-process caches (SLA calendar and policies) and the active language never leak
    between tests."""
    from shanzhi.notifications import services as notifications
    from shanzhi.places import services as places
    from shanzhi.routing import catalogue
    from shanzhi.sla import calendar

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Password hashing is deliberately slow; tests create many users and need none of that strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No classifier unless a test trains one: a model a developer trained under var/ must not change results.
    settings.SHANZHI_ROUTING_MODEL_DIR = str(_empty_model_dir)
    from shanzhi.routing import classifier

    classifier.reset()
    caches = (calendar.invalidate, catalogue.invalidate, places.invalidate, notifications.invalidate_templates)
    for invalidate in caches:
        invalidate()
    yield
    for invalidate in caches:
        invalidate()
    # A request through the test client leaves the language LocaleMiddleware chose (an English Accept-Language, a
    # switched console) active in this thread; the next test would otherwise render and store English.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reseed_after_transactional_tests(request):
    """A transactional test ends with a flush, which empties what data migrations seeded (the working calendar);
    permissions come back by themselves (post_migrate). Seed again so the next test starts from the same state."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    import importlib

    from django.apps import apps

    importlib.import_module("shanzhi.sla.migrations.0002_seed_calendar").seed(apps, None)


@pytest.fixture
def district(db) -> District:
    city = _unit("150300000000", "乌海市", UnitKind.CITY)
    dist = _unit("150302000000", "海勃湾区", UnitKind.DISTRICT, city)
    town_a = _unit("150302001000", "凤凰岭街道", UnitKind.TOWN, dist)
    com_a = _unit("150302001002", "和平社区居委会", UnitKind.COMMUNITY, town_a)
    grid_a = _unit("150302001002001", "和平社区第1网格", UnitKind.GRID, com_a)
    town_b = _unit("150302003000", "新华街道", UnitKind.TOWN, dist)
    com_b = _unit("150302003012", "清泉社区居委会", UnitKind.COMMUNITY, town_b)
    grid_b = _unit("150302003012001", "清泉社区第1网格", UnitKind.GRID, com_b)
    centre = _unit("150302-ZX", "海勃湾区社会治理中心", UnitKind.CENTRE, dist)
    housing = _unit("D-ZJ", "区住房和城乡建设局", UnitKind.DEPARTMENT, dist)
    urban = _unit("D-CG", "区城市管理综合执法局", UnitKind.DEPARTMENT, dist)
    return District(city, dist, town_a, com_a, grid_a, town_b, com_b, grid_b, centre, housing, urban)


@dataclass
class Catalogue:
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 by the catalogue (住建局 assisting, if asked)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (the place's town)
    consult: Category  # 党务政务/政策咨询


@pytest.fixture
def seed_catalogue(district):
    """``seed_catalogue(assisting=True)``: the small category tree, its dispatch catalogue and a reject reason that
    the desks of the appeal, API and console tests work with."""

    def seed(*, assisting: bool = True) -> Catalogue:
        build = Category.objects.create(code="01", name="城乡建设")
        municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
        road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
        prop = Category.objects.create(code="0102", name="物业管理", parent=build)
        property_service = Category.objects.create(code="010201", name="物业服务", parent=prop)
        consult_root = Category.objects.create(code="09", name="党务政务")
        consult = Category.objects.create(code="0901", name="政策咨询", parent=consult_root)
        rule = DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban)
        if assisting:
            rule.assisting_units.add(district.dept_housing)
        DispatchRule.objects.create(category=prop, lead_unit=None, territorial_level="town")
        RejectReason.objects.create(code="out_of_scope", text="不属于受理范围")
        return Catalogue(road_light, property_service, consult)

    return seed


@pytest.fixture
def make_user(db):
    """``make_user(unit, "dispatcher", "operator", username=..., personal_data=True)``."""
    counter = {"n": 0}

    def make(unit: Unit, *roles: str, username: str | None = None, personal_data: bool = False) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"user{counter['n']}",
            password="pass-1234-word",
            unit=unit,
            display_name=f"测试用户{counter['n']}",
        )
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        if personal_data:
            from django.contrib.auth.models import Permission

            user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
        return User.objects.get(pk=user.pk)

    return make


# --- browser tests (shared by every folder, so one Playwright instance serves a whole worker) ---------------

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SHANZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "test-output"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
