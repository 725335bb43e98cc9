"""The read side on a real streaming replica: a second PostgreSQL started by the test (pg_basebackup -R), with
replay paused so that the replica is visibly behind. The reports read there; the desk and sign-ins never do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .pgcluster import cluster_create, cluster_remove, replica_create, require_cluster_tools, wait_until

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("replica_probe.py")


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def primary_and_replica():
    require_cluster_tools()
    primary = cluster_create()
    replica = None
    try:
        primary.psql("CREATE DATABASE shanzhi")
        env = {**os.environ, "DATABASE_URL": primary.url_for("shanzhi"), "SHANZHI_LOG_FORMAT": "plain"}
        env.pop("DATABASE_REPLICA_URL", None)
        _run(env, sys.executable, "-m", "shanzhi.cli", "migrate", "--noinput", "-v", "0")
        replica = replica_create(primary)
        yield primary, replica, env
    finally:
        if replica is not None:
            cluster_remove(replica)
        cluster_remove(primary)


def test_reports_read_from_the_replica_and_the_desk_from_the_primary(primary_and_replica):
    _primary, replica, env = primary_and_replica
    env = {**env, "DATABASE_REPLICA_URL": replica.url_for("shanzhi")}
    _run(env, sys.executable, str(PROBE), "prepare")
    assert wait_until(lambda: replica.psql("SELECT count(*) FROM appeals_appeal", "shanzhi") == "1")
    assert replica.psql("SELECT pg_is_in_recovery()") == "t"

    replica.psql("SELECT pg_wal_replay_pause()")
    try:
        facts = json.loads(_run(env, sys.executable, str(PROBE), "probe").strip().splitlines()[-1])
    finally:
        replica.psql("SELECT pg_wal_replay_resume()")

    assert facts["primary"] == 2 and facts["replica"] == 1  # the replica is behind, and that is where it read
    assert facts["reports_status"] == 200 and "reports_" in facts["reports_tables_read_on_replica"]
    assert facts["workbench_status"] == 200 and facts["workbench_queries_on_replica"] == 0
    assert wait_until(lambda: replica.psql("SELECT count(*) FROM appeals_appeal", "shanzhi") == "2")
