"""Periods outside the years reports cover are refused with a coded 422 (they used to raise OverflowError: a 500),
on every report page, file and JSON address that takes a date; an unreadable date still falls back to the default."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

REFUSED = [
    "/console/reports/monthly/?month=9999-12",
    "/console/reports/monthly/?month=0001-01",
    "/console/reports/monthly/export.xlsx?month=9999-12",
    "/console/reports/weekly/?week=0001-01-01",
    "/console/reports/weekly/?week=9999-12-31",
    "/console/reports/?start=9999-12-30",
    "/console/reports/appeals/?start=9999-12-30&metric=received",
]


@pytest.fixture
def analyst_client(district, make_user) -> Client:
    client = Client()
    client.force_login(make_user(district.centre, "analyst"))
    return client


@pytest.mark.parametrize("url", REFUSED)
def test_a_period_out_of_range_is_a_coded_422(analyst_client, url):
    response = analyst_client.get(url)
    assert response.status_code == 422
    assert "report_period_invalid" in response.content.decode()
    assert "2000—2099" in response.content.decode()


def test_a_client_that_asks_for_json_gets_the_refusal_in_json(analyst_client):
    response = analyst_client.get("/console/reports/monthly/?month=9999-12", HTTP_ACCEPT="application/json")
    assert response.status_code == 422 and response.json()["code"] == "report_period_invalid"


def test_an_unreadable_date_falls_back_to_the_default_period(analyst_client):
    assert analyst_client.get("/console/reports/monthly/?month=abc").status_code == 200  # positive control
    assert analyst_client.get("/console/reports/weekly/?week=2026-13-40").status_code == 200
