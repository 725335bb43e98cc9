"""A PostgreSQL cluster of the test's own, on its own port, for what the shared server must not suffer: streaming
replication, restarts in the middle of a load. Started as the ``postgres`` user (the server refuses root) from
Debian's binaries, with fsync off (a test cluster, thrown away afterwards)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*args: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


def require_cluster_tools() -> Path:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser")
    return bindir


@dataclass
class Cluster:
    bindir: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        command = _as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), *args)
        return subprocess.run(command, check=check, capture_output=True, timeout=120)

    def start(self) -> None:
        self.pg_ctl("-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-t", "60", "-m", mode, "stop", check=False)

    def restart(self) -> None:
        self.pg_ctl("-w", "-t", "60", "-m", "fast", "restart")

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-Atc", sql]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def _workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="shanzhi-pg-"))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


def _configure(data: Path, port: int) -> None:
    extra = (
        f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
        "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nwal_level = replica\nmax_wal_senders = 4\n"
        "hot_standby = on\nmax_connections = 60\nshared_buffers = 32MB\n"
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(extra)
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")


def cluster_create() -> Cluster:
    bindir = require_cluster_tools()
    root = _workdir()
    data = root / "primary"
    port = free_port()
    command = _as_postgres(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    subprocess.run([*command, "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
    _configure(data, port)
    cluster = Cluster(bindir, data, port)
    cluster.start()
    return cluster


def replica_create(primary: Cluster) -> Cluster:
    """A hot standby streaming from ``primary`` (pg_basebackup -R)."""
    root = _workdir()
    data = root / "replica"
    port = free_port()
    command = _as_postgres(
        str(primary.bindir / "pg_basebackup"),
        "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(data), "-R", "-X", "stream",
    )  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(f"\nport = {port}\nunix_socket_directories = '{data}'\n")
    replica = Cluster(primary.bindir, data, port)
    replica.start()
    return replica


def cluster_remove(cluster: Cluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.data.parent, ignore_errors=True)


def wait_until(condition, seconds: float = 30.0, step: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
