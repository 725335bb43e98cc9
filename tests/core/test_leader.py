"""One scheduler leads, the others stand by, and a standby takes over when the leader is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from shanzhi.core.leader import LeaderLock

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_one_holder_at_a_time_and_the_lock_passes_on_release():
    first, second = LeaderLock("test-leader"), LeaderLock("test-leader")
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()
        assert LeaderLock("test-other").try_acquire()  # another name is another lock
        first.release()
        assert not first.held and second.try_acquire()
    finally:
        first.release()
        second.release()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def _start(var_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "SHANZHI_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "shanzhi.cli", "scheduler", "--interval", "0.3"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(log: Path, text: str, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_a_standby_scheduler_takes_over_when_the_leader_is_killed(tmp_path):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    first = _start(tmp_path, logs[0])
    try:
        assert _wait_for(logs[0], "scheduler leads"), logs[0].read_text()
        second = _start(tmp_path, logs[1])
        try:
            assert _wait_for(logs[1], "stands by"), logs[1].read_text()
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            assert _wait_for(logs[1], "scheduler leads"), logs[1].read_text()
        finally:
            second.terminate()
            second.wait(10)
        assert "scheduler stopped" in logs[1].read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
