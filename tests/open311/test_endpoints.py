"""Every GeoReport v2 endpoint in XML and JSON, against the specification's field lists and error rules."""

from __future__ import annotations

import datetime as dt

import pytest
from desk import POINT_IN_A, POINT_IN_B

from shanzhi.appeals.models import Appeal, AppealState, Channel
from shanzhi.appeals.services import appeal_intake, appeal_reject, appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.core import clock
from shanzhi.open311.models import ServiceRequest

from .conftest import JURISDICTION, as_json, error_of, get, post, xml, xml_items

pytestmark = pytest.mark.django_db
FORMATS = ["xml", "json"]

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
CREATED_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}


def items(response, fmt: str, root: str) -> list[dict]:  # type: ignore[no-untyped-def]
    if fmt == "json":
        body = as_json(response)
        assert isinstance(body, list)
        return body
    element = xml(response)
    assert element.tag == root
    return xml_items(element)


def new_request(o311, fmt: str = "json", **overrides):  # type: ignore[no-untyped-def]
    data = {
        "api_key": o311.key_centre,
        "jurisdiction_id": JURISDICTION,
        "service_code": "010101",
        "lat": str(POINT_IN_A[1]),
        "long": str(POINT_IN_A[0]),
        "description": "和平小区门口路灯不亮",
        "attribute[fault]": "dark",
        "attribute[pole_no]": "HP-017",
        "attribute[nearby][]": ["school", "park"],
        "attribute[count]": "3",
        "attribute[when]": "2026-12-03T20:00:00+08:00",
        "media_url": "https://example.org/photo.jpg",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "account_id": "acct-9",
    }
    data.update(overrides)
    return post(f"requests.{fmt}", {k: v for k, v in data.items() if v is not None})


def created_id(response, fmt: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.content
    [row] = items(response, fmt, "service_requests")
    assert set(row) == CREATED_FIELDS
    return str(row["service_request_id"])


# --- discovery and services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(o311, fmt):
    response = get(f"discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = as_json(response)
        assert set(body) == DISCOVERY_FIELDS
        [endpoint] = body["endpoints"]
        assert set(endpoint) == ENDPOINT_FIELDS
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["url"].endswith("/open311/v2/")
    else:
        root = xml(response)
        assert root.tag == "discovery" and {c.tag for c in root} == DISCOVERY_FIELDS
        endpoint = root.find("endpoints/endpoint")
        assert endpoint is not None and {c.tag for c in endpoint} == ENDPOINT_FIELDS
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_is_the_category_tree_leaves(o311, fmt):
    response = get(f"services.{fmt}", jurisdiction_id=JURISDICTION)
    assert response.status_code == 200
    rows = items(response, fmt, "services")
    assert all(set(r) == SERVICE_FIELDS for r in rows)
    by_code = {r["service_code"]: r for r in rows}
    assert set(by_code) == {"010101", "010201", "0901"}  # leaves only: no 01, 0101, 0102, 09
    light = by_code["010101"]
    assert light["service_name"] == "路灯损坏" and light["group"] == "市政设施"
    assert light["description"] == "城乡建设/市政设施/路灯损坏" and light["type"] == "realtime"
    assert light["metadata"] in (True, "true")
    assert by_code["010201"]["metadata"] in (False, "false")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_with_its_attributes(o311, fmt):
    response = get(f"services/010101.{fmt}", jurisdiction_id=JURISDICTION)
    assert response.status_code == 200
    if fmt == "json":
        body = as_json(response)
        assert set(body) == {"service_code", "attributes"} and body["service_code"] == "010101"
        attrs = body["attributes"]
        datatypes = [a["datatype"] for a in attrs]
        fault = attrs[1]
        assert fault["values"] == [{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}]
        assert fault["required"] is True and attrs[6]["variable"] is False
        plain = [a for a in attrs if a["datatype"] not in ("singlevaluelist", "multivaluelist")]
        assert all(set(a) == ATTRIBUTE_FIELDS for a in plain)
    else:
        root = xml(response)
        assert root.tag == "service_definition" and root.findtext("service_code") == "010101"
        attrs = root.findall("attributes/attribute")
        datatypes = [a.findtext("datatype") for a in attrs]
        assert [v.findtext("key") for v in attrs[1].findall("values/value")] == ["dark", "flicker"]
        assert attrs[1].findtext("required") == "true" and attrs[6].findtext("variable") == "false"
        assert all({c.tag for c in a} >= ATTRIBUTE_FIELDS for a in attrs)
    assert datatypes == ["string", "singlevaluelist", "datetime", "multivaluelist", "number", "text", "string"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_and_jurisdiction_are_404(o311, fmt):
    assert error_of(get(f"services/9999.{fmt}"), fmt)[0] == 404
    response = get(f"services.{fmt}", jurisdiction_id="110101000000")
    assert response.status_code == 404 and error_of(response, fmt)[0] == 404
    assert get(f"services/9999.{fmt}").status_code == 404


# --- POST requests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_an_appeal_through_the_intake(o311, fmt):
    tracking_no = created_id(new_request(o311, fmt), fmt)
    appeal = Appeal.objects.get(tracking_no=tracking_no)
    assert appeal.channel == Channel.OPEN311 and appeal.category == o311.road_light
    assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == o311.district.dept_urban
    assert appeal.area == o311.district.grid_a  # the coordinates routed it
    assert "故障类型：不亮" in appeal.content and "附近设施：学校、公园" in appeal.content
    assert appeal.citizen_name == "张三" and appeal.citizen_phone == "13812345678"
    sr = ServiceRequest.objects.get(appeal=appeal)
    assert sr.attributes["nearby"] == ["school", "park"] and sr.attributes["count"] == 3.0
    assert sr.media_url == "https://example.org/photo.jpg"


def test_post_with_an_address_only(o311):
    response = new_request(o311, lat=None, long=None, address_string="凤凰岭街道和平小区3号楼")
    appeal = Appeal.objects.get(tracking_no=created_id(response, "json"))
    assert appeal.address == "凤凰岭街道和平小区3号楼" and appeal.latitude is None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "sz_00000000.nonsense"}, 403),
        ({"jurisdiction_id": None}, 400),
        ({"jurisdiction_id": "110101000000"}, 404),
        ({"service_code": None}, 400),
        ({"service_code": "9999"}, 400),
        ({"lat": None, "long": None}, 400),  # no location at all
        ({"long": None}, 400),  # lat without long
        ({"lat": "91"}, 400),
        ({"attribute[fault]": None}, 400),  # a required attribute
        ({"attribute[fault]": "melted"}, 400),  # not one of the values
        ({"attribute[nearby][]": ["zoo"]}, 400),
        ({"attribute[count]": "many"}, 400),
        ({"attribute[when]": "yesterday"}, 400),
        ({"media_url": "ftp://x/y"}, 400),
        ({"phone": "12345"}, 400),  # the intake's own validation, as an Open311 error
    ],
)
def test_post_refusals(o311, fmt, overrides, status):
    response = new_request(o311, fmt, **overrides)
    assert response.status_code == status
    code, description = error_of(response, fmt)
    assert code == status and description
    assert not Appeal.objects.exists()


def test_post_needs_a_key_that_may_take_in_appeals(o311):
    response = new_request(o311, api_key=o311.key_handler)
    assert response.status_code == 403 and not Appeal.objects.exists()


# --- GET requests ----------------------------------------------------------------------------------------------


@pytest.fixture
def three(o311):  # type: ignore[no-untyped-def]
    """Two Open311 requests in town A (路灯) and one hotline appeal in town B (物业), one of them closed."""
    first = created_id(new_request(o311), "json")
    second = created_id(new_request(o311, description="第二盏路灯不亮"), "json")
    hotline = appeal_intake(
        actor=o311.operator,
        channel="hotline",
        content="清泉小区物业不管垃圾",
        category=o311.property_service,
        longitude=POINT_IN_B[0],
        latitude=POINT_IN_B[1],
    ).appeal
    return first, second, hotline


def test_request_fields_status_and_sla(o311, three):
    first, _, _ = three
    for fmt in FORMATS:
        response = get(f"requests/{first}.{fmt}", api_key=o311.key_centre)
        assert response.status_code == 200
        [row] = items(response, fmt, "service_requests")
        assert set(row) == REQUEST_FIELDS
        appeal = Appeal.objects.get(tracking_no=first)
        assert row["status"] == "open" and row["service_code"] == "010101" and row["service_name"] == "路灯损坏"
        assert row["agency_responsible"] == "区城市管理综合执法局"
        assert dt.datetime.fromisoformat(row["expected_datetime"]) == appeal.due_at.replace(microsecond=0)
        assert row["requested_datetime"].endswith("+08:00")
        assert str(row["lat"]) == str(POINT_IN_A[1]) and row["media_url"] == "https://example.org/photo.jpg"


def test_closed_status_and_status_notes_from_the_public_reply(o311, three):
    first, second, _ = three
    appeal = Appeal.objects.get(tracking_no=first)
    lead = appeal.assignments.get(role="lead")
    assignment_sign(actor=o311.urban_handler, assignment=lead)
    assignment_feedback(actor=o311.urban_handler, assignment=lead, text="已更换灯泡", resolved=True)
    appeal_reply(actor=o311.dispatcher, appeal=Appeal.objects.get(pk=appeal.pk), text="路灯已修复，感谢反映")
    other = Appeal.objects.get(tracking_no=second)
    other.state = AppealState.ACCEPTED  # back at the desk, so that it can be refused
    other.save(update_fields=["state"])
    appeal_reject(actor=o311.dispatcher, appeal=other, reason_code="out_of_scope")
    rows = {r["service_request_id"]: r for r in as_json(get("requests.json", api_key=o311.key_centre))}
    assert rows[first]["status_notes"] == "路灯已修复，感谢反映" and rows[first]["status"] == "open"  # 待回访
    assert rows[second]["status"] == "closed" and rows[second]["expected_datetime"] == ""
    closed = items(get("requests.xml", status="closed", api_key=o311.key_centre), "xml", "service_requests")
    assert [r["service_request_id"] for r in closed] == [second]
    extended = as_json(get(f"requests/{first}.json", extensions="true"))[0]["extended_attributes"]
    assert [u["status"] for u in extended["updates"]][-1] == "fixed"


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_list_filters(o311, three, fmt):
    first, second, hotline = three

    def ids(**params):  # type: ignore[no-untyped-def]
        response = get(f"requests.{fmt}", api_key=o311.key_centre, **params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in items(response, fmt, "service_requests")]

    assert ids() == [hotline.tracking_no, second, first]  # newest first
    assert ids(service_request_id=f"{first},{hotline.tracking_no}") == [hotline.tracking_no, first]
    assert ids(service_code="010201") == [hotline.tracking_no]
    assert ids(service_code="010101,010201", status="open") == [hotline.tracking_no, second, first]
    assert ids(status="closed") == []
    later = (clock.now() + dt.timedelta(hours=1)).isoformat()
    assert ids(start_date=later) == []
    assert ids(end_date="2020-01-01T00:00:00Z") == []
    assert ids(page_size="2") == [hotline.tracking_no, second]
    assert ids(page_size="2", page="2") == [first]


def test_the_default_window_is_the_last_90_days(o311):
    old = appeal_intake(
        actor=o311.operator,
        channel="hotline",
        content="很久以前的路灯",
        category=o311.road_light,
        area=o311.district.grid_a,
        at=clock.now() - dt.timedelta(days=100),
    ).appeal
    listed = [r["service_request_id"] for r in as_json(get("requests.json", api_key=o311.key_centre))]
    assert old.tracking_no not in listed
    start = (clock.now() - dt.timedelta(days=120)).isoformat()
    listed = [r["service_request_id"] for r in as_json(get("requests.json", api_key=o311.key_centre, start_date=start))]
    assert listed == [old.tracking_no]
    by_id = as_json(get("requests.json", api_key=o311.key_centre, service_request_id=old.tracking_no))
    assert [r["service_request_id"] for r in by_id] == [old.tracking_no]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-12-02T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
        {"page": "0"},
        {"page_size": "x"},
        {"api_key": "sz_bad"},
    ],
)
def test_request_list_refusals(o311, fmt, params):
    response = get(f"requests.{fmt}", **params)
    expected = 403 if "api_key" in params else 400
    assert response.status_code == expected and error_of(response, fmt)[0] == expected


def test_scope_a_key_outside_sees_nothing_and_no_key_sees_only_open311(o311, three):
    first, second, hotline = three
    # The town B integration sees the hotline appeal of its town only.
    rows = as_json(get("requests.json", api_key=o311.key_town_b))
    assert [r["service_request_id"] for r in rows] == [hotline.tracking_no]
    for fmt in FORMATS:
        response = get(f"requests/{first}.{fmt}", api_key=o311.key_town_b)
        assert response.status_code == 404 and error_of(response, fmt)[0] == 404
    # Without a key: the Open311 requests, never the hotline's appeal.
    public = [r["service_request_id"] for r in as_json(get("requests.json"))]
    assert public == [second, first]
    assert get(f"requests/{hotline.tracking_no}.xml").status_code == 404
    body = get(f"requests/{first}.json").content.decode()
    assert "13812345678" not in body and "张三" not in body  # no personal data of the citizen


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(o311, fmt):
    response = new_request(o311, fmt)
    tracking_no = created_id(response, fmt)
    token = ServiceRequest.objects.get(appeal__tracking_no=tracking_no).token
    found = get(f"tokens/{token}.{fmt}")
    assert found.status_code == 200
    [row] = items(found, fmt, "service_requests")
    assert row == {"service_request_id": tracking_no, "token": token}
    missing = get(f"tokens/nope.{fmt}")
    assert missing.status_code == 404 and error_of(missing, fmt)[0] == 404
    assert get(f"tokens/{token}.{fmt}", api_key=o311.key_town_b).status_code == 404  # outside its scope


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates(o311, three, fmt):
    first, _, _ = three
    response = get(f"servicerequestupdates.{fmt}", api_key=o311.key_centre)
    assert response.status_code == 200
    if fmt == "json":
        rows = as_json(response)
    else:
        root = xml(response)
        assert root.tag == "service_request_updates"
        rows = xml_items(root)
    mine = [r for r in rows if r["service_request_id"] == first]
    assert [r["status"] for r in mine] == ["open", "open", "action_scheduled"]
    assert all(
        set(r) == {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
        for r in rows
    )


def test_unknown_paths_formats_and_methods(o311):
    assert error_of(get("requests.html"), "xml")[0] == 404
    assert error_of(get("nothing.json"), "json")[0] == 404
    response = post("services.json", {})
    assert response.status_code == 405 and error_of(response, "json")[0] == 405


def test_numbers_in_the_citizens_words_are_masked(o311):
    tracking_no = created_id(new_request(o311, description="路灯不亮，请打我电话13812345678"), "json")
    for fmt in FORMATS:
        body = get(f"requests/{tracking_no}.{fmt}").content.decode()
        assert "138****5678" in body and "13812345678" not in body
    assert "13812345678" in Appeal.objects.get(tracking_no=tracking_no).content  # kept in full for the desk


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_update_answers_the_centres_question(o311, fmt):
    from shanzhi.appeals.services import appeal_request_info

    tracking_no = created_id(new_request(o311, service_code="0901", description="想咨询路灯归谁管"), "json")
    Appeal.objects.filter(tracking_no=tracking_no).update(state=AppealState.ACCEPTED)  # back at the desk
    appeal = Appeal.objects.get(tracking_no=tracking_no)
    base = {"api_key": o311.key_centre, "jurisdiction_id": JURISDICTION, "service_request_id": tracking_no}
    refused = post(f"servicerequestupdates.{fmt}", {**base, "description": "补充：在和平路"})
    assert refused.status_code == 400 and error_of(refused, fmt)[0] == 400  # nothing was asked
    appeal_request_info(actor=o311.dispatcher, appeal=appeal, question="请说明具体位置")
    base["description"] = "补充：在和平路"
    for params, status in [
        ({**base, "api_key": None}, 403),
        ({**base, "service_request_id": "HB00000000-000000"}, 404),
        ({**base, "description": ""}, 400),
        ({**base, "api_key": o311.key_town_b}, 404),  # outside its scope
    ]:
        response = post(f"servicerequestupdates.{fmt}", {k: v for k, v in params.items() if v is not None})
        assert response.status_code == status and error_of(response, fmt)[0] == status, (params, response.content)
    response = post(f"servicerequestupdates.{fmt}", {**base, "description": "补充：在和平路3号楼门口"})
    assert response.status_code == 201
    [row] = items(response, fmt, "service_request_updates")
    assert set(row) == {"update_id"}
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED and "和平路3号楼门口" in appeal.content
    assert appeal.events.get(kind="info_supplied").reason == "补充：在和平路3号楼门口"
