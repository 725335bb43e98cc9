"""Faults under load, on a PostgreSQL cluster of the test's own: web and worker processes killed with SIGKILL in the
middle and started again, then the database restarted. Clients resend with the same idempotency key until they get
an answer, as integrations do. Afterwards every appeal that was answered 201/200 is there exactly once, every
background task has run (none left queued or claimed by a dead worker), and every citizen's SMS went out once.
During the database restart clients get clean errors (a coded 503 or a refused connection, never a hang), and the
system serves again by itself."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from .pgcluster import cluster_create, cluster_remove, free_port, require_cluster_tools, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def _env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Services:
    """gunicorn (2 sync workers) and one ``shanzhi worker``, each in its own process group so a kill takes all."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)

    def start_web(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "shanzhi.wsgi:application", "--bind", f"{HOST}:{self.port}", "--workers", "2",
                   "--worker-class", "sync", "--timeout", "30", "--log-level", "warning"]  # fmt: skip
        self.web = self._spawn("web", command)
        assert wait_until(self._answers, 60), (self.logs / "web.log").read_text()

    def start_worker(self) -> None:
        command = [sys.executable, "-m", "shanzhi.cli", "worker", "--interval", "0.2"]
        self.worker = self._spawn("worker", command)

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False

    @staticmethod
    def kill(process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    self.kill(process)


class Client:
    """One integration: sends appeals one by one, each with its own key, resending until answered."""

    def __init__(self, port: int, key: str, grids: list[str], categories: list[str], n: int) -> None:
        self.port, self.key, self.grids, self.categories, self.n = port, key, grids, categories, n
        self.answered: dict[str, str] = {}  # idempotency key → tracking number
        self.last_answer_at = 0.0
        self.failures: Counter[str] = Counter()

    def _post(self, body: bytes, idem: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=20)
        try:
            headers = {"Content-Type": "application/json", "X-API-Key": self.key, "Idempotency-Key": idem}
            conn.request("POST", "/api/v1/appeals", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            try:
                return response.status, json.loads(data or b"{}")
            except ValueError:
                return response.status, {"unparsed": True}
        finally:
            conn.close()

    def run(self, until: list[float]) -> None:
        """Send until ``until[0]`` (which the test may move later while it runs)."""
        i = 0
        while i < self.n and time.monotonic() < until[0]:
            idem = str(uuid.uuid4())
            body = json.dumps(
                {
                    "channel": "hotline",
                    "content": f"第{i}号故障测试诉求：小区路灯夜间不亮，请尽快维修。",
                    "category": self.categories[i % len(self.categories)],
                    "citizen_phone": f"139{uuid.uuid4().int % 100_000_000:08d}",
                    "area_code": self.grids[i % len(self.grids)],
                }
            ).encode()
            while time.monotonic() < until[0] + 60:
                try:
                    status, data = self._post(body, idem)
                except OSError as error:  # the web server is down or restarting
                    self.failures[type(error).__name__] += 1
                    time.sleep(0.2)
                    continue
                if status in (200, 201):
                    self.answered[idem] = data["tracking_no"]
                    self.last_answer_at = time.monotonic()
                    break
                self.failures[f"{status}:{data.get('code', 'no-code')}"] += 1
                time.sleep(0.2)
            i += 1


@pytest.fixture(scope="module")
def cluster():
    require_cluster_tools()
    instance = cluster_create()
    try:
        instance.psql("CREATE DATABASE shanzhi")
        yield instance
    finally:
        cluster_remove(instance)


def test_kills_and_a_database_restart_lose_nothing_and_double_nothing(cluster, tmp_path):
    env = _env(cluster.url_for("shanzhi"))
    _run(env, sys.executable, "-m", "shanzhi.cli", "migrate", "--noinput", "-v", "0")
    setup = json.loads(_run(env, sys.executable, str(Path(__file__).with_name("fault_setup.py"))).splitlines()[-1])
    services = Services(env, free_port(), tmp_path)
    services.start_web()
    services.start_worker()
    clients = [Client(services.port, setup["key"], setup["grids"], setup["categories"], n=100_000) for _ in range(4)]
    until = [time.monotonic() + 14]  # the clients send until then; the faults fall in the middle
    threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
    try:
        for thread in threads:
            thread.start()
        time.sleep(3)
        services.kill(services.web)  # SIGKILL the web server and its workers mid-request
        services.kill(services.worker)  # and the task worker mid-task
        time.sleep(1)
        services.start_web()
        services.start_worker()
        time.sleep(3)
        cluster.stop()  # PostgreSQL goes away under load…
        time.sleep(2)
        cluster.start()  # …and comes back
        back_at = time.monotonic()
        # On a slow machine the restarts can take longer than the planned load: the clients go on for a few
        # seconds after the database is back, so that "served again" is asked of a period that exists.
        until[0] = max(until[0], back_at + 6)
        for thread in threads:
            thread.join(120)
        assert not any(t.is_alive() for t in threads)

        answered = {idem: no for c in clients for idem, no in c.answered.items()}
        failures = sum((c.failures for c in clients), Counter())
        assert len(answered) >= 100, failures
        assert failures["503:database_unavailable"] > 0, failures  # the restart was felt, as a coded 503
        assert all(c.last_answer_at > back_at for c in clients), failures  # and every client was served again
        # Clean errors only: refused/reset connections while down, coded 503s while the database restarts.
        assert all(kind.split(":")[0] in ("ConnectionRefusedError", "ConnectionResetError", "RemoteDisconnected",
                                         "TimeoutError", "503") for kind in failures), failures  # fmt: skip

        def settled() -> bool:
            pending = cluster.psql(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')",
                "shanzhi",
            )
            return pending == "0"

        assert wait_until(settled, 90), cluster.psql(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status", "shanzhi"
        )
    finally:
        services.stop()

    rows = cluster.psql("SELECT idempotency_key, tracking_no FROM appeals_appeal", "shanzhi").splitlines()
    stored = dict(row.split("|") for row in rows if row)
    assert len(stored) == len(rows)  # one appeal per key: nothing doubled by the resends
    for idem, tracking_no in answered.items():
        assert stored.get(idem) == tracking_no  # every answered appeal is there, with the number it was given
    assert (
        cluster.psql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'", "shanzhi")
        == "0"
    )
    doubled = cluster.psql(
        "SELECT count(*) FROM (SELECT appeal_id, event FROM notifications_outboxmessage "
        "GROUP BY appeal_id, event HAVING count(*) > 1) AS d",
        "shanzhi",
    )
    untold = cluster.psql(
        "SELECT count(*) FROM appeals_appeal a WHERE NOT EXISTS (SELECT 1 FROM notifications_outboxmessage m "
        "WHERE m.appeal_id = a.id AND m.event = 'received' AND m.state = 'sent')",
        "shanzhi",
    )
    assert (doubled, untold) == ("0", "0")  # each citizen told once that the appeal was received
