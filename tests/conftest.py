"""Shared fixtures: the one test desk (``tests/desk.py``: district, catalogue, staff), the test environment, and the
browser. Folders extend ``desk`` in their own conftest when they need more; they do not build desks of their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk import Catalogue, Desk, District, UserFactory, catalogue_create, desk_create, district_create
from django.test import Client
from django.utils import translation

from shanzhi.orgs.models import User


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
    return district_create()


@pytest.fixture
def seed_catalogue(district):
    """``seed_catalogue(assisting=True)``: the small category tree, its dispatch catalogue and a reject reason."""

    def seed(*, assisting: bool = True) -> Catalogue:
        return catalogue_create(district, assisting=assisting)

    return seed


@pytest.fixture
def make_user(db) -> UserFactory:
    """``make_user(unit, "dispatcher", "operator", username=..., personal_data=True)``."""
    return UserFactory()


@pytest.fixture
def desk_assisting() -> bool:
    """Whether the catalogue's 路灯 rule names the 住建局 as assisting unit; a folder may override it."""
    return True


@pytest.fixture
def desk(district, make_user, desk_assisting) -> Desk:
    return desk_create(district, make_user, assisting=desk_assisting)


@pytest.fixture
def intake_defaults(desk) -> dict:
    """The fields of a typical structured hotline appeal (路灯损坏 in grid A); a folder may override them."""
    return {
        "actor": desk.operator,
        "channel": "hotline",
        "content": "小区门口路灯不亮已经一周了",
        "category": desk.road_light,
        "citizen_name": "张三",
        "citizen_phone": "13800001234",
        "area": desk.district.grid_a,
    }


@pytest.fixture
def intake(intake_defaults):
    """Register a structured appeal through the service: ``intake(category=..., **overrides)`` → the appeal."""
    from shanzhi.appeals.services import appeal_intake

    def make(**kw):
        return appeal_intake(**{**intake_defaults, **kw}).appeal

    return make


@pytest.fixture
def login():
    """``login(user)`` → a test client logged in as ``user``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

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


# --- data the migrations write, back after a transactional test ----------------------------------------------
# A transactional test ends by flushing every table, the rows the data migrations wrote included (the calendar,
# the address element types, the grid's five steps, the centres' checklist). The next test on the same worker
# would find them gone; they are written again (each seed is idempotent) once the flush is done.
MIGRATION_SEEDS = (
    ("shanzhi.sla.migrations.0002_seed_calendar", "seed"),
    ("shanzhi.places.migrations.0002_load_address_element_types", "load"),
    ("shanzhi.grid.migrations.0004_default_method_steps", "seed"),
    ("shanzhi.cogovern.migrations.0002_seed_checklist", "seed"),
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )
    if flushed and nextitem is not None:
        import importlib

        from django.apps import apps as registry
        from django.db import DatabaseError
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            try:
                for module_name, function in MIGRATION_SEEDS:
                    getattr(importlib.import_module(module_name), function)(registry, None)
            except DatabaseError:
                # A test skipped before its database was set up (no Chromium, say) flushed nothing, and there is
                # no test database to write to.
                if "django_db_setup" in getattr(item, "funcargs", {}):
                    raise
    return result
