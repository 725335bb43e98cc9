"""Scope and protection: a grid worker sees only their grid's people, a community its subtree, a department
nothing; key persons only with their permission; and nobody without ``orgs.view_personal_data`` ever receives an
unmasked ID number from any page, API or export (issue 14's second "must show")."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from shanzhi.core.models import PersonalDataAccess
from shanzhi.datahub import selectors
from shanzhi.datahub.models import HubBuilding, KeyPerson, Person

from .conftest import make_id, xlsx
from .test_import import GRID_A, persons_rows

ALL_IDS = [make_id(n) for n in range(1, 8)]
GRID_A_NAMES = {"张三", "李四", "赵六", "钱七"}
GRID_B_NAMES = {"王五", "孙八", "周九"}
ID_RE = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def populated(load, buildings_file, hub):
    assert load("buildings", buildings_file).ok
    assert load("persons", xlsx(persons_rows(broken=False))).ok
    keys = [["身份证号", "类别"], [make_id(1), "刑满释放人员"], [make_id(3), "独居老人"]]
    assert load("key_persons", xlsx(keys)).ok
    return hub


def grant(user, codename: str, app: str = "datahub") -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label=app))
    for attr in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def names(user) -> set[str]:
    return set(selectors.persons_for(user).values_list("name", flat=True))


def test_each_sees_their_own_area(populated):
    hub = populated
    assert names(hub.grid_worker_a) == GRID_A_NAMES
    assert names(hub.grid_worker_b) == GRID_B_NAMES
    assert names(hub.community_head) == GRID_A_NAMES
    assert names(hub.importer) == GRID_A_NAMES | GRID_B_NAMES
    assert names(hub.department) == set()
    assert set(selectors.buildings_for(hub.grid_worker_a).values_list("code", flat=True)) == {"B-A-001", "B-A-002"}
    assert selectors.counts_for(hub.department) == dict.fromkeys(
        ["persons", "households", "buildings", "enterprises", "party_orgs"], 0
    )


def test_pages_outside_the_scope_give_nothing(populated, login):
    hub = populated
    wang = Person.objects.get(name="王五")  # grid B
    zhang = Person.objects.get(name="张三")  # grid A
    worker_a = login(hub.grid_worker_a)
    page = worker_a.get("/console/datahub/persons/").content.decode()
    assert "张*" in page and "王*" not in page
    assert worker_a.get(f"/console/datahub/persons/{wang.pk}/").status_code == 404
    assert worker_a.get(f"/console/datahub/persons/{zhang.pk}/").status_code == 200
    b_building = HubBuilding.objects.get(code="B-B-001")
    assert worker_a.get(f"/console/datahub/buildings/{b_building.pk}/").status_code == 404
    # A department's handler has no territorial scope: the hub's pages are closed.
    dept = login(hub.department)
    assert dept.get("/console/datahub/").status_code == 403
    assert dept.get("/console/datahub/persons/").status_code == 403


def test_api_outside_the_scope_gives_nothing(populated, login):
    hub = populated
    wang = Person.objects.get(name="王五")
    worker_a = login(hub.grid_worker_a)
    listing = worker_a.get("/api/v1/datahub/persons").json()
    assert listing["count"] == 4 and {p["name"] for p in listing["items"]} == {"张*", "李*", "赵*", "钱*"}
    assert worker_a.get(f"/api/v1/datahub/persons/{wang.pk}").status_code == 404
    assert worker_a.get("/api/v1/datahub/persons/99999999999999999999999").status_code == 404
    dept = login(hub.department)
    assert dept.get("/api/v1/datahub/persons").json() == {"count": 0, "items": []}
    assert dept.get("/api/v1/datahub/buildings").json() == []
    assert dept.get(f"/api/v1/datahub/persons/{wang.pk}").status_code == 404
    geo = dept.get("/api/v1/datahub/map/buildings", {"bbox": "106.7,39.5,106.95,39.8"}).json()
    assert geo["features"] == []


def test_map_layer_by_bounding_box_in_scope_and_clustered(populated, login, monkeypatch):
    hub = populated
    box = {"bbox": "106.70,39.55,106.95,39.80"}
    worker_a = login(hub.grid_worker_a)
    geo = worker_a.get("/api/v1/datahub/map/buildings", box).json()
    assert geo["type"] == "FeatureCollection" and not geo["clustered"]
    assert {f["properties"]["code"] for f in geo["features"]} == {"B-A-001", "B-A-002"}
    assert geo["features"][0]["geometry"]["type"] == "Point"
    grids = worker_a.get("/api/v1/datahub/map/grids", box).json()
    assert [f["properties"]["code"] for f in grids["features"]] == [GRID_A]
    # A box that holds only grid B's building.
    east = login(hub.importer).get("/api/v1/datahub/map/buildings", {"bbox": "106.83,39.6,106.9,39.75"}).json()
    assert [f["properties"]["code"] for f in east["features"]] == ["B-B-001"]
    monkeypatch.setattr(selectors, "CLUSTER_ABOVE", 1)
    clustered = login(hub.importer).get("/api/v1/datahub/map/buildings", box).json()
    assert clustered["clustered"] and sum(f["properties"]["count"] for f in clustered["features"]) == 3
    mine = worker_a.get("/api/v1/datahub/map/buildings", box).json()  # the pre-counted cells keep the scope
    assert mine["clustered"] and mine["total"] == 2
    bad = worker_a.get("/api/v1/datahub/map/buildings", {"bbox": "1,2,3"})
    assert bad.status_code == 422 and bad.json()["code"] == "bbox_invalid"
    assert worker_a.get("/api/v1/datahub/map/people", box).status_code == 404


def test_key_persons_exist_only_with_their_permission(populated, login):
    hub = populated
    zhang = Person.objects.get(name="张三")
    box = {"bbox": "106.70,39.55,106.95,39.80"}
    leader = login(hub.revealer)  # sees everything, may reveal personal data, but not key persons
    assert leader.get(f"/api/v1/datahub/persons/{zhang.pk}").json()["key_records"] == []
    assert leader.get("/api/v1/datahub/key-persons").json() == []
    assert leader.get("/api/v1/datahub/map/key_persons", box).json()["features"] == []
    assert "key_persons" not in leader.get("/api/v1/datahub/counts").json()
    assert leader.get("/console/datahub/key-persons/").status_code == 404
    assert "刑满释放" not in leader.get(f"/console/datahub/persons/{zhang.pk}/").content.decode()

    grant(hub.grid_worker_a, "view_keyperson")
    worker_a = login(hub.grid_worker_a)
    records = worker_a.get("/api/v1/datahub/key-persons").json()
    assert [r["category_label"] for r in records] == ["刑满释放人员"]  # 独居老人 王五 is in grid B
    assert worker_a.get("/console/datahub/key-persons/").status_code == 200
    assert "刑满释放人员" in worker_a.get(f"/console/datahub/persons/{zhang.pk}/").content.decode()
    layer = worker_a.get("/api/v1/datahub/map/key_persons", box).json()
    assert len(layer["features"]) == 1 and set(layer["features"][0]["properties"]) == {"id", "category", "level"}
    assert KeyPerson.objects.count() == 2


def _xlsx_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(" ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))


def _every_read(client, person: Person, building: HubBuilding) -> dict[str, str]:
    box = {"bbox": "106.70,39.55,106.95,39.80"}
    reads = {
        "page:index": client.get("/console/datahub/"),
        "page:persons": client.get("/console/datahub/persons/"),
        "page:search": client.post("/console/datahub/persons/", {"q": make_id(1)}),
        "page:person": client.get(f"/console/datahub/persons/{person.pk}/"),
        "page:building": client.get(f"/console/datahub/buildings/{building.pk}/"),
        "page:key_persons": client.get("/console/datahub/key-persons/"),
        "page:map": client.get("/console/datahub/map/"),
        "page:imports": client.get("/console/datahub/imports/"),
        "api:persons": client.get("/api/v1/datahub/persons"),
        "api:search": client.get("/api/v1/datahub/persons", {"q": make_id(1)}),
        "api:search_post": client.post(
            "/api/v1/datahub/persons/search", {"q": make_id(1)}, content_type="application/json"
        ),
        "api:person": client.get(f"/api/v1/datahub/persons/{person.pk}"),
        "api:key_persons": client.get("/api/v1/datahub/key-persons"),
        "api:reveal": client.post(
            f"/api/v1/datahub/persons/{person.pk}/reveal", {"reason": "核查"}, content_type="application/json"
        ),
        "page:reveal": client.post(f"/console/datahub/persons/{person.pk}/reveal/", {"reason": "核查"}),
        "export:full": client.post("/console/datahub/persons/export/", {"full": "1", "reason": "核查"}),
    }
    for layer in selectors.LAYERS:
        reads[f"map:{layer}"] = client.get(f"/api/v1/datahub/map/{layer}", box)
    bodies = {name: r.content.decode(errors="replace") for name, r in reads.items()}
    export = client.get("/console/datahub/persons/export/")
    bodies["export:masked"] = _xlsx_text(export.content) if export.status_code == 200 else export.content.decode()
    return bodies


@pytest.mark.parametrize("who", ["grid_worker_a", "community_head", "importer", "department"])
def test_no_unmasked_id_number_without_the_permission(populated, login, who):
    hub = populated
    user = getattr(hub, who)
    grant(user, "view_keyperson")  # even with the key-person lists open
    bodies = _every_read(login(user), Person.objects.get(name="张三"), HubBuilding.objects.get(code="B-A-001"))
    for name, body in bodies.items():
        leaked = [n for n in ALL_IDS if n in body]
        assert not leaked, f"{who} got a clear ID number from {name}"
        assert not ID_RE.search(body.replace(make_id(1), "")), name
    assert not PersonalDataAccess.objects.exists()


def test_with_the_permission_masked_until_revealed_then_logged(populated, login):
    hub = populated
    zhang = Person.objects.get(name="张三")
    client = login(hub.revealer)
    detail = client.get(f"/console/datahub/persons/{zhang.pk}/").content.decode()
    assert make_id(1) not in detail and zhang.id_masked in detail and "显示完整信息" in detail
    listing = client.get("/api/v1/datahub/persons")
    assert listing.status_code == 200 and zhang.id_masked in listing.content.decode()
    assert make_id(1) not in listing.content.decode()
    export = client.get("/console/datahub/persons/export/")
    assert export.status_code == 200 and "张" in _xlsx_text(export.content)
    assert make_id(1) not in _xlsx_text(export.content)

    no_reason = client.post(f"/console/datahub/persons/{zhang.pk}/reveal/", {"reason": ""})
    assert no_reason.status_code == 422 and make_id(1) not in no_reason.content.decode()
    shown = client.post(f"/console/datahub/persons/{zhang.pk}/reveal/", {"reason": "入户走访核对"})
    assert shown.status_code == 200 and make_id(1) in shown.content.decode() and "13800001234" in shown.content.decode()
    assert shown["Cache-Control"] == "private, no-store"
    api = client.post(f"/api/v1/datahub/persons/{zhang.pk}/reveal", {"reason": "核对"}, content_type="application/json")
    assert api.json() == {"name": "张三", "id_number": make_id(1), "phone": "13800001234"}
    log = list(PersonalDataAccess.objects.order_by("id").values_list("user_id", "subject_type", "subject_id", "reason"))
    assert log == [
        (hub.revealer.pk, "datahub.person", str(zhang.pk), "入户走访核对"),
        (hub.revealer.pk, "datahub.person", str(zhang.pk), "核对"),
    ]

    full = client.post("/console/datahub/persons/export/", {"full": "1", "reason": "年度人口核查"})
    text = _xlsx_text(full.content)
    assert all(n in text for n in ALL_IDS)
    assert hub.revealer.username in text.splitlines()[0] and "导出人" in text.splitlines()[0]
    book = openpyxl.load_workbook(io.BytesIO(full.content))
    assert hub.revealer.username in book.active.oddHeader.center.text
    exported = PersonalDataAccess.objects.get(action="export")
    assert exported.reason == "年度人口核查" and exported.subject_id == "export:7"
    no_reason = client.post("/console/datahub/persons/export/", {"full": "1", "reason": ""})
    assert no_reason.status_code == 422


def test_search_by_full_id_number_finds_within_scope_only(populated):
    hub = populated
    assert [p.name for p in selectors.persons_for(hub.grid_worker_a, query=make_id(1))] == ["张三"]
    assert list(selectors.persons_for(hub.grid_worker_b, query=make_id(1))) == []
    assert [p.name for p in selectors.persons_for(hub.importer, query="13800001234")] == ["张三"]


def test_search_posts_and_echoes_the_number_masked(populated, login):
    client = login(populated.grid_worker_a)
    page = client.post("/console/datahub/persons/", {"q": make_id(1)}).content.decode()
    assert make_id(1) not in page and Person.objects.get(name="张三").id_masked in page
    found = client.post("/api/v1/datahub/persons/search", {"q": make_id(1)}, content_type="application/json")
    assert found.json()["count"] == 1 and found.json()["items"][0]["name"] == "张*"
