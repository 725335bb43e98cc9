"""The OpenAPI schema, the docs page, the catalogues, and coded 404s for unknown paths."""

from __future__ import annotations

from django.test import Client

from .conftest import ApiClient


def test_openapi_schema_lists_the_paths_and_the_key_schemes(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in (
        "/api/v1/appeals",
        "/api/v1/appeals/{key}",
        "/api/v1/appeals/{key}/timeline",
        "/api/v1/appeals/{key}/dispatch",
        "/api/v1/appeals/{key}/reply",
        "/api/v1/appeals/{key}/follow-up",
        "/api/v1/assignments/{assignment_id}/sign",
        "/api/v1/assignments/{assignment_id}/contact",
        "/api/v1/assignments/{assignment_id}/feedback",
        "/api/v1/assignments/{assignment_id}/requests",
        "/api/v1/categories",
        "/api/v1/units",
    ):
        assert expected in paths, expected
    assert set(schema["paths"]["/api/v1/appeals"]) == {"get", "post"}
    create = schema["paths"]["/api/v1/appeals"]["post"]
    assert {"200", "201", "422"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    schemes = schema["components"]["securitySchemes"]
    assert {"ApiKeyAuth", "BearerKeyAuth"} <= set(schemes)


def test_docs_page_and_unknown_paths(db):
    assert Client().get("/api/v1/docs").status_code == 200
    missing = Client().get("/api/v1/no/such/thing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_category_tree_and_units(desk):
    client: ApiClient = desk.client("b")
    tree = client.get("/categories").json()
    assert [c["name"] for c in tree] == ["城乡建设", "党务政务"]
    assert [c["path"] for c in tree[1]["children"]] == ["党务政务/政策咨询"]
    second = {c["name"]: c for c in tree[0]["children"]}
    assert set(second) == {"市政设施", "物业管理"}
    assert second["市政设施"]["children"][0]["path"] == "城乡建设/市政设施/路灯损坏"
    units = client.get("/units").json()
    territorial = [u["code"] for u in units["territorial"]]
    assert territorial[:2] == ["150300000000", "150302000000"]
    assert "150302003012001" in territorial
    assert {u["code"] for u in units["departments"]} == {"150302-ZX", "D-ZJ", "D-CG"}
    grid = next(u for u in units["territorial"] if u["code"] == "150302001002001")
    assert grid["parent_code"] == "150302001002"
