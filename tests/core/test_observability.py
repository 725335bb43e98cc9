"""Health, readiness, metrics and structured logs: what an operator and a load balancer read."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client

from shanzhi.appeals.models import Assignment
from shanzhi.core import clock
from shanzhi.core.log_filters import WITHHELD, WithholdExceptionMessages
from shanzhi.core.observability import health, metrics
from shanzhi.core.observability.json_logs import json_formatter
from shanzhi.core.observability.request_context import RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db


def test_liveness_and_readiness_answer_without_a_login(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in ready["Cache-Control"]


def test_readiness_is_503_when_the_database_is_down(client: Client, monkeypatch) -> None:
    class Broken:
        def __enter__(self):  # type: ignore[no-untyped-def]
            raise OperationalError("connection refused")

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return False

    from django.db import connections

    monkeypatch.setattr(connections["default"], "cursor", lambda: Broken())
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"] == {"database": "unreachable"}


def test_readiness_is_503_until_the_migrations_are_applied(client: Client, monkeypatch) -> None:
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json()["checks"] == {"database": "migrations_pending"}


def test_metrics_only_for_the_allowed_network_or_the_token(client: Client, settings) -> None:
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    settings.SHANZHI = {**settings.SHANZHI, "METRICS_TOKEN": "s3cret-token"}
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer wrong"}).status_code == 403
    allowed = client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer s3cret-token"})
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/plain")


def test_metrics_count_requests_by_route_and_read_the_gauges(client: Client, desk, intake) -> None:
    appeal = intake()
    overdue = Assignment.objects.filter(appeal=appeal)
    overdue.update(due_at=clock.now() - dt.timedelta(hours=1))
    client.get("/console/login/")
    text = client.get("/metrics").content.decode()
    assert 'shanzhi_http_requests_total{method="GET",route="console/login/",status="2xx"}' in text
    assert 'shanzhi_http_request_duration_seconds_bucket{le="0.005",method="GET",route="console/login/"}' in text
    assert f"shanzhi_assignments_overdue {float(overdue.count())}" in text
    assert 'shanzhi_task_queue{status="READY"}' in text
    assert 'shanzhi_outbox_messages{state="pending"}' in text
    assert "shanzhi_gauge_errors 0.0" in text


def test_a_failing_gauge_is_counted_and_the_others_still_answer(client: Client) -> None:
    def broken() -> int:
        raise RuntimeError("a bug in another app")

    metrics.register_gauge("shanzhi_test_broken", "a gauge that fails", broken)
    try:
        text = client.get("/metrics").content.decode()
    finally:
        metrics.unregister_gauge("shanzhi_test_broken")
    assert "shanzhi_gauge_errors 1.0" in text and 'shanzhi_task_queue{status="READY"}' in text


def test_request_ids_are_kept_when_sane_and_made_up_otherwise(client: Client) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "nginx-req-12345678"})["X-Request-ID"] == "nginx-req-12345678"
    )
    made_up = client.get("/healthz", headers={"X-Request-ID": "bad id\n138 0000 1234"})["X-Request-ID"]
    assert len(made_up) == 32 and made_up.isalnum()


def test_json_logs_carry_the_request_id_and_withhold_exception_messages() -> None:
    formatter = json_formatter()
    record = logging.LogRecord("shanzhi.test", logging.ERROR, __file__, 1, "intake failed for %s", ("HB1",), None)
    refused = "Key (citizen_phone)=(13800001234) already exists"
    try:
        raise ValueError(refused)
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    token = request_id_var.set("req-0123456789")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    WithholdExceptionMessages().filter(record)
    line = json.loads(formatter.format(record))
    assert line["event"] == "intake failed for HB1" and line["level"] == "error"
    assert line["logger"] == "shanzhi.test" and line["request_id"] == "req-0123456789"
    assert "ValueError" in line["exception"] and WITHHELD in line["exception"]
    assert "13800001234" not in json.dumps(line, ensure_ascii=False)
