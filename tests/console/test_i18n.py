"""English is available: console strings, domain labels and coded error messages are translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from shanzhi.console import display

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/console/"})
    return client


def test_the_compiled_catalogue_is_shipped():
    mo = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.exists() and mo.stat().st_size > 1000


def test_work_bench_in_english(desk, intake, login):
    intake()
    html = english(login(desk.urban_handler)).get(reverse("console:workbench")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Work bench", "To do", "To sign for", "Due today", "Overdue", "Time left", "Sign for selected"):
        assert text in html, text
    assert "left" in html  # the countdown


def test_detail_in_english(desk, intake, login):
    appeal = intake()
    html = english(login(desk.operator)).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    for text in ("Dispatched", "Hotline", "Timeline", "Registered", "Routing explanation", "Personal data is masked."):
        assert text in html, text


def test_refusals_in_english(desk, intake, login):
    appeal = intake()
    client = english(login(desk.operator))
    response = client.post(reverse("console:action", args=[appeal.pk, "close"]), {"note": "x"})
    assert "is not possible now" in response.content.decode()


def test_countdown_text_in_english():
    import datetime as dt

    now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    with translation.override("en"):
        assert display.time_left(due_at=now + dt.timedelta(hours=3, minutes=5), now=now).text == "3h 5min left"
        assert display.time_left(due_at=now - dt.timedelta(days=2), now=now).text == "overdue by 2d 0h"
