"""Every error code written in ``shanzhi/`` is declared in its app's registry (``shanzhi/<app>/error_codes.py``),
with the status its exception gives it; no code means two things; the OpenAPI schema and ``docs/error-codes.md``
list exactly the declared codes."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from shanzhi.core import error_registry
from shanzhi.core.error_registry import SHANZHI, ErrorCode

from .error_code_sites import Site, sites

DOC = Path(__file__).resolve().parents[2] / "docs" / "error-codes.md"
#: Codes every app may raise without declaring them again (the generic ones and the API layer's).
SHARED_APP = "core"

#: Raise sites whose status differs from the one their code is declared with — inconsistencies found when the
#: registries were built, left for the apps' owners (a client sees one code with two statuses). Remove an entry when
#: its site is fixed; a new mismatch fails the suite.
KNOWN_STATUS_MISMATCHES = {
    ("file_required", "shanzhi/datahub/views_dimensions.py"),  # 404 there, 422 in datahub/api.py
    ("not_a_grid_worker", "shanzhi/grid/training.py"),  # 422 there, 403 in grid/services.py
}
#: Codes two apps declare with different statuses (same reason, same rule).
KNOWN_CROSS_APP_CONFLICTS = {"reopen_not_allowed"}  # appeals: 422 (no lead unit); portal: 409 (not closed)


def undeclared(found: list[Site], registries: dict[str, dict[str, ErrorCode]]) -> list[Site]:
    shared = registries.get(SHARED_APP, {})
    protocols = error_registry.protocols()
    missing = []
    for site in found:
        own = registries.get(site.app, {})
        generic = shared if protocols.get(site.app, SHANZHI) == SHANZHI else {}
        if site.code not in own and site.code not in generic:
            missing.append(site)
    return missing


@pytest.fixture(scope="module")
def found() -> list[Site]:
    return sites()


def test_the_walk_finds_the_raise_sites(found):
    """A positive control: the collector sees the codes it is meant to see, of each kind of site."""
    seen = {(s.app, s.code) for s in found}
    assert len(found) > 300
    for expected in (
        ("appeals", "invalid_phone"),  # ValidationFailed(..., code="...")
        ("appeals", "transition_not_allowed"),  # a helper's default: _refuse(message, code="transition_not_allowed")
        ("core", "scope_missing"),  # a class attribute: ScopeMissing.code
        ("core", "invalid_request"),  # error_response(request, 422, "invalid_request", ...)
        ("core", "invalid_cursor"),  # FIELD_CODES
        ("open311", "jurisdiction_not_found"),  # Open311Error(404, "...", ...)
        ("orgs", "two_factor_invalid_code"),
    ):
        assert expected in seen, expected


def test_every_raised_code_is_declared_by_its_app(found):
    missing = undeclared(found, error_registry.registries())
    assert not missing, "undeclared error codes (add them to shanzhi/<app>/error_codes.py):\n" + "\n".join(
        f"  {s.where}: {s.app} {s.code!r} ({s.status})" for s in missing
    )


def test_an_undeclared_code_is_caught():
    made_up = Site("appeals", "no_such_code_anywhere", 422, "shanzhi/appeals/x.py:1")
    core_code = Site("grid", "not_found", 404, "shanzhi/grid/x.py:1")
    assert undeclared([made_up, core_code], error_registry.registries()) == [made_up]
    # an Open311 site cannot lean on the shared codes of /api/v1/
    assert undeclared([Site("open311", "invalid_request", 400, "x")], error_registry.registries())


def test_each_site_raises_its_code_with_the_declared_status(found):
    registries = error_registry.registries()
    wrong = []
    for site in found:
        entry = registries.get(site.app, {}).get(site.code) or registries[SHARED_APP].get(site.code)
        if entry is None or site.status is None or entry.status == site.status:
            continue
        if (site.code, site.where.rsplit(":", 1)[0]) not in KNOWN_STATUS_MISMATCHES:
            wrong.append(f"  {site.where}: {site.code!r} raised as {site.status}, declared {entry.status}")
    assert not wrong, "status differs from the registry:\n" + "\n".join(wrong)


def test_no_code_means_two_things_across_apps():
    by_code: dict[tuple[str, str], list[tuple[str, ErrorCode]]] = defaultdict(list)
    protocols = error_registry.protocols()
    for app, codes in error_registry.registries().items():
        for code, entry in codes.items():
            by_code[(protocols[app], code)].append((app, entry))
    clashes = []
    for (_protocol, code), entries in by_code.items():
        meanings = {(e.status, e.zh, e.en) for _app, e in entries}
        if len(meanings) > 1 and code not in KNOWN_CROSS_APP_CONFLICTS:
            clashes.append(f"  {code}: " + "; ".join(f"{app} {e.status} {e.en!r}" for app, e in entries))
    assert not clashes, "one code, several meanings:\n" + "\n".join(clashes)


def test_apps_do_not_redeclare_the_shared_codes():
    registries = error_registry.registries()
    protocols = error_registry.protocols()
    shared = set(registries[SHARED_APP])
    again = {
        app: sorted(shared & set(codes))
        for app, codes in registries.items()
        if app != SHARED_APP and protocols[app] == SHANZHI and shared & set(codes)
    }
    assert not again


def test_the_registries_are_well_formed():
    registries = error_registry.registries()
    # the API-facing apps each declare theirs
    api_facing = {"appeals", "supervision", "datahub", "grid", "iot", "open311", "exchange", "orgs", "core"}
    assert api_facing <= set(registries)
    for app, codes in registries.items():
        for entry in codes.values():
            assert 400 <= entry.status <= 599, (app, entry)
            assert entry.zh.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in entry.zh), (app, entry)
            assert entry.en != entry.zh and any(ch.isascii() and ch.isalpha() for ch in entry.en), (app, entry)
    with pytest.raises(ValueError, match="declared twice"):
        error_registry.declared("x", (ErrorCode("a_b", 422, "甲", "A"), ErrorCode("a_b", 422, "乙", "B")))
    with pytest.raises(ValueError, match="lower_snake_case"):
        error_registry.declared("x", (ErrorCode("Bad-Code", 422, "甲", "A"),))


def test_openapi_lists_the_codes_in_error_out(db):
    schema = Client().get("/api/v1/openapi.json").json()
    code = schema["components"]["schemas"]["ErrorOut"]["properties"]["code"]
    enum, fallback = code["anyOf"]
    assert enum["enum"] == error_registry.all_codes()
    assert {"invalid_phone", "scope_missing", "two_factor_invalid_code", "iot_bad_signature"} <= set(enum["enum"])
    assert "jurisdiction_not_found" not in enum["enum"]  # Open311's own format, not ErrorOut
    assert fallback["pattern"] == error_registry.HTTP_FALLBACK_PATTERN
    assert "code" in schema["components"]["schemas"]["ErrorOut"]["required"]


def test_the_doc_is_generated_from_the_registries():
    out = io.StringIO()
    call_command("error_codes", "--markdown", stdout=out)
    assert out.getvalue() == error_registry.markdown()
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/error-codes.md is out of date: run `shanzhi error_codes --markdown > docs/error-codes.md`"
    )
    for app, codes in error_registry.registries().items():
        assert f"## {app}\n" in out.getvalue()
        for code in codes:
            assert f"| `{code}` |" in out.getvalue()


def test_the_plain_listing_names_app_code_and_status():
    out = io.StringIO()
    call_command("error_codes", stdout=out)
    assert "appeals\tinvalid_phone\t422\t" in out.getvalue()
