"""The requests that the outside fuzzing run turned into server errors: each a coded refusal (or a plain answer)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(desk):
    return desk.client("centre")


def test_a_number_is_not_a_date(client):
    response = client.get("/appeals", {"created_to": "0.5"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_date"


def test_dates_at_the_ends_of_the_calendar_filter_nothing(client):
    for bound in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"):
        response = client.get("/appeals", {"created_from": bound})
        assert response.status_code == 200, bound


@pytest.mark.parametrize("category", ["\x00\x1f", "\x1f\x1e", "²"])
def test_control_characters_and_unicode_digits_in_a_filter(client, category):
    response = client.get("/appeals", {"category": category, "state": "received", "limit": 88, "channel": "open311"})
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid_request", "unknown_category"}


@pytest.mark.parametrize("key", ["%C2%B9", "%C2%B2", "%00"])
@pytest.mark.parametrize("tail", ["", "/timeline"])
def test_unicode_digits_as_a_key_are_not_found(client, key, tail):
    response = client.get(f"/appeals/{key}{tail}")
    assert response.status_code in (404, 422)
    assert response.json()["code"] in {"not_found", "invalid_request"}


@pytest.mark.parametrize(
    "change",
    [{"urgency": ""}, {"title": "", "category": None, "content": "0"}, {"structured": 0}, {"channel": "fax"}],
)
def test_intake_bodies_are_refused_with_a_code_or_taken(client, change):
    body = {"content": "路灯坏了", "channel": "open311", **change}
    for path, payload in (("/appeals", body), ("/appeals/batch", {"appeals": [body]})):
        response = client.post(path, payload)
        assert response.status_code in (200, 201, 422), (path, response.content)
        if response.status_code == 422:
            assert response.json()["code"]


@pytest.mark.parametrize("action", ["accept", "dispatch"])
@pytest.mark.parametrize(
    "junk", [{"lead_unit": "²"}, {"category": "²"}, {"urgency": 5}, {"assisting_units": [True]}, {"dispatch": 0}]
)
def test_junk_transition_bodies_are_coded(client, desk, action, junk):
    from shanzhi.appeals.services import appeal_intake

    appeal = appeal_intake(actor=desk.dispatcher, channel="hotline", content="路灯坏了", structured=False).appeal
    response = client.post(f"/appeals/{appeal.pk}/{action}", junk)
    assert response.status_code in (200, 403, 404, 409, 422), response.content
    assert response.status_code == 200 or response.json()["code"]


@pytest.mark.parametrize("phone", ["12345", "95588", "4008001234"])
def test_a_service_number_is_not_a_citizens_phone_on_any_channel(client, desk, phone):
    from shanzhi.appeals.services import appeal_intake
    from shanzhi.core.errors import ValidationFailed

    single = client.post("/appeals", {"content": "路灯坏了", "citizen_phone": phone})
    assert single.status_code == 422 and single.json()["code"] == "invalid_phone"
    batch = client.post("/appeals/batch", {"appeals": [{"content": "路灯坏了", "citizen_phone": phone}]})
    assert batch.json()["results"][0]["error"]["code"] == "invalid_phone"
    with pytest.raises(ValidationFailed):
        appeal_intake(actor=desk.dispatcher, channel="hotline", content="路灯坏了", citizen_phone=phone)
    taken = client.post("/appeals", {"content": "路灯坏了", "citizen_phone": "0473-1234567"})
    assert taken.status_code == 201  # positive control: a landline is a citizen's number
