#!/usr/bin/env python
"""Intake benchmark: appeals registered through the HTTP API by 8 concurrent clients against gunicorn on
PostgreSQL, compared with the raw single-row INSERT rate of the same PostgreSQL; then an in-process profile.

    .venv/bin/python benchmarks/intake.py                 # lots of 20 per POST /api/v1/appeals/batch (the target)
    .venv/bin/python benchmarks/intake.py --batch 1       # one appeal per POST /api/v1/appeals
    .venv/bin/python benchmarks/intake.py --seconds 60 --worker-class gthread --workers 3 --threads 4

Creates and drops its own database on 127.0.0.1 (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import re
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter

from _common import ROOT, bench_database, django_setup, load_district, percentiles

HOST = "127.0.0.1"


def appeal_payload(n: int, grids: list[str], categories: list[str]) -> dict:
    return {
        "channel": "hotline",
        "content": f"第{n}号测试诉求：小区路灯夜间不亮已三天，居民出行不便，请尽快维修。",
        "category": categories[n % len(categories)],
        "citizen_name": "王小明",
        "citizen_phone": f"138{n % 100_000_000:08d}",
        "address": f"凤凰岭街道和平小区{n % 40 + 1}号楼",
        "longitude": 106.80,
        "latitude": 39.68,
        "area_code": grids[n % len(grids)],
    }


# --- the server ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, args: argparse.Namespace) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "shanzhi.settings",
    }
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "shanzhi.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        # gunicorn turns a sync worker into gthread when given more than one thread: only gthread gets them.
        *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


# --- the load -----------------------------------------------------------------------------------------------


class Load:
    """``batch`` = 1: one appeal per ``POST /api/v1/appeals``; more: that many per ``POST /api/v1/appeals/batch``."""

    def __init__(self, port: int, key: str, grids: list[str], categories: list[str], batch: int = 1) -> None:
        self.port, self.key, self.grids, self.categories, self.batch = port, key, grids, categories, batch
        self.counter = 0
        self.created = 0
        self.lock = threading.Lock()

    def next_n(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def request(self) -> tuple[str, bytes, dict[str, str]]:
        headers = {"Content-Type": "application/json", "X-Api-Key": self.key}
        if self.batch == 1:
            payload: dict = appeal_payload(self.next_n(), self.grids, self.categories)
            headers["Idempotency-Key"] = str(uuid.uuid4())
            path = "/api/v1/appeals"
        else:
            items = [
                {**appeal_payload(self.next_n(), self.grids, self.categories), "idempotency_key": str(uuid.uuid4())}
                for _ in range(self.batch)
            ]
            payload = {"appeals": items}
            path = "/api/v1/appeals/batch"
        return path, json.dumps(payload, ensure_ascii=False).encode(), headers

    def client(self, until: float, latencies: list[float], statuses: Counter) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while time.monotonic() < until:
            path, body, headers = self.request()
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
                if status in (200, 201):
                    created = json.loads(data)["created"] if self.batch > 1 else int(status == 201)
                    with self.lock:
                        self.created += created
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                status = 0
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
        conn.close()

    def run(self, clients: int, seconds: float) -> tuple[list[float], Counter, float]:
        until = time.monotonic() + seconds
        per_thread: list[list[float]] = [[] for _ in range(clients)]
        statuses: Counter = Counter()
        threads = [threading.Thread(target=self.client, args=(until, per_thread[i], statuses)) for i in range(clients)]
        self.created = 0
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        return [x for chunk in per_thread for x in chunk], statuses, elapsed


# --- where the CPU goes -------------------------------------------------------------------------------------


def cpu_seconds_by_process() -> dict[int, tuple[str, int, float]]:
    """user + system CPU seconds of every process on the machine (Linux ``/proc``), with its name and parent."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(entry)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_split(
    before: dict[int, tuple[str, int, float]], after: dict[int, tuple[str, int, float]], server_pid: int
) -> dict[str, float]:
    """CPU seconds spent between two snapshots: PostgreSQL, gunicorn (the server), this process (the clients)."""
    split: Counter = Counter()
    for pid, (comm, ppid, seconds) in after.items():
        spent = seconds - (before[pid][2] if pid in before else 0.0)
        if pid == os.getpid():
            split["clients"] += spent
        elif comm.startswith("postgres"):
            split["postgresql"] += spent
        elif server_pid in (pid, ppid):
            split["server"] += spent
        else:
            split["other"] += spent
    return dict(split)


# --- raw PostgreSQL -----------------------------------------------------------------------------------------


def raw_insert_rate(database_url: str, clients: int, seconds: float) -> tuple[float, dict[str, float]]:
    """Single-row INSERTs, autocommit, ``clients`` connections: the ceiling the API is compared with."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_insert (id bigserial PRIMARY KEY, tracking_no varchar(24) NOT NULL, "
            "channel varchar(12) NOT NULL, state varchar(12) NOT NULL, content text NOT NULL, "
            "citizen_phone varchar(20) NOT NULL, area_path varchar(255) NOT NULL, created_at timestamptz NOT NULL)"
        )
    counts = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    until = time.monotonic() + seconds

    def work(i: int) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            n = 0
            while time.monotonic() < until:
                n += 1
                started = time.perf_counter()
                conn.execute(
                    "INSERT INTO bench_raw_insert (tracking_no, channel, state, content, citizen_phone, area_path, "
                    "created_at) VALUES (%s, %s, %s, %s, %s, %s, now())",
                    (
                        f"HB20261128-{i}{n:07d}",
                        "hotline",
                        "accepted",
                        f"第{n}号测试诉求：小区路灯夜间不亮已三天，居民出行不便，请尽快维修。",
                        "13800001111",
                        "/150300000000/150302000000/150302001000/",
                    ),
                )
                latencies[i].append(time.perf_counter() - started)
            counts[i] = n

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, percentiles([x for chunk in latencies for x in chunk])


# --- profile ------------------------------------------------------------------------------------------------


def profile_in_process(key: str, grids: list[str], categories: list[str], requests: int, batch: int) -> str:
    """Where one request's time goes (requests as in the load): queries per request, time inside SQL, and the
    cProfile top list."""
    from django.db import connection
    from django.test import Client

    client = Client()
    headers = {"X-Api-Key": key}

    def post(n: int) -> int:
        if batch == 1:
            body = appeal_payload(10_000_000 + n, grids, categories)
            return client.post(
                "/api/v1/appeals",
                json.dumps(body),
                content_type="application/json",
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            ).status_code
        items = [
            {**appeal_payload(10_000_000 + n * batch + i, grids, categories), "idempotency_key": str(uuid.uuid4())}
            for i in range(batch)
        ]
        status = client.post(
            "/api/v1/appeals/batch", json.dumps({"appeals": items}), content_type="application/json", headers=headers
        ).status_code
        return 201 if status == 200 else status

    for n in range(20):  # warm the caches (key, boundaries, SLA calendar)
        post(n)

    sql: list[tuple[str, float]] = []

    def timer(execute, query, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append((query, time.perf_counter() - started))

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        profiler.enable()
        for n in range(requests):
            assert post(100 + n) == 201
        profiler.disable()
    wall = time.perf_counter() - started

    out = io.StringIO()
    per_request_ms = wall / requests * 1000
    sql_ms = sum(t for _, t in sql) / requests * 1000
    out.write(
        f"in-process, 1 client: {per_request_ms:.2f} ms/request (profiler on), "
        f"{len(sql) / requests:.1f} queries/request, {sql_ms:.2f} ms/request inside SQL round trips\n"
    )
    by_statement: Counter = Counter()
    time_by_statement: Counter = Counter()
    for query, spent in sql:
        head = re.sub(r'"s\d+_x\d+"', "<sp>", " ".join(query.split()))[:110]
        by_statement[head] += 1
        time_by_statement[head] += spent
    out.write("queries per request (statement head: count/request, ms/request):\n")
    for head, count in by_statement.most_common():
        out.write(f"  {count / requests:4.1f}  {time_by_statement[head] / requests * 1000:6.3f} ms  {head}\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"shanzhi/", 40)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="length of the API load (default 20)")
    parser.add_argument("--raw-seconds", type=float, default=10, help="length of the raw INSERT run (default 10)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument(
        "--workers", type=int, default=3, help="default 3: on 2 cores 5 workers cost more CPU per request"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument(
        "--batch",
        type=int,
        default=20,
        help="appeals per request: 1 = POST /appeals, more = POST /appeals/batch (default 20, as an integration sends)",
    )
    args = parser.parse_args()

    with bench_database(f"shanzhi_bench_intake_{os.getpid()}") as database_url:
        django_setup(database_url)
        from shanzhi.orgs.apikeys import apikey_create

        world = load_district()
        _, key = apikey_create(user=world["user"], name="benchmark")
        grids = [g.code for g in world["grids"]]
        categories = [c.code for c in world["categories"]]

        # The raw rate of this machine moves by a quarter from minute to minute: measured before and after the
        # load, and the ratio taken against their mean.
        raw_before, _ = raw_insert_rate(database_url, args.clients, args.raw_seconds)
        port = free_port()
        server = start_gunicorn(database_url, port, args)
        try:
            load = Load(port, key, grids, categories, batch=args.batch)
            load.run(args.clients, 2.0)  # warm-up: every worker loads its caches
            cpu_before = cpu_seconds_by_process()
            latencies, statuses, elapsed = load.run(args.clients, args.seconds)
            cpu = cpu_split(cpu_before, cpu_seconds_by_process(), server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        created = load.created
        api_rate = created / elapsed
        api_pct = percentiles(latencies)

        raw_after, raw_pct = raw_insert_rate(database_url, args.clients, args.raw_seconds)
        raw_rate = (raw_before + raw_after) / 2
        profile = profile_in_process(key, grids, categories, args.profile_requests, args.batch)

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal")
            rows = cursor.fetchone()[0]

    ratio = api_rate / raw_rate if raw_rate else 0.0
    per_appeal = {role: seconds / created * 1000 for role, seconds in sorted(cpu.items())} if created else {}
    server_desc = f"gunicorn {args.worker_class} ×{args.workers}" + (
        f" ({args.threads} threads)" if args.worker_class == "gthread" else ""
    )
    print(f"\n== intake benchmark ({os.cpu_count()} CPUs, {server_desc}, {args.clients} clients, {elapsed:.1f} s) ==")
    print(f"statuses: {dict(statuses)}; appeals in the table after the run: {rows}")
    print(
        f"API  POST {'/api/v1/appeals' if args.batch == 1 else f'/api/v1/appeals/batch ×{args.batch}'} : "
        f"{api_rate:8.1f} appeals/s   p50 {api_pct['p50']:.1f} ms   "
        f"p95 {api_pct['p95']:.1f} ms   p99 {api_pct['p99']:.1f} ms   max {api_pct['max']:.1f} ms"
    )
    print(
        f"raw  INSERT (1 row, autocommit): {raw_rate:8.1f} rows/s (before {raw_before:.0f}, after {raw_after:.0f})"
        f"   p50 {raw_pct['p50']:.2f} ms   p95 {raw_pct['p95']:.2f} ms   p99 {raw_pct['p99']:.2f} ms"
    )
    print(
        "CPU per appeal during the load: "
        + ", ".join(f"{role} {ms:.2f} ms" for role, ms in per_appeal.items())
        + f" (machine: {os.cpu_count()} CPUs × {elapsed:.1f} s)"
    )
    verdict = "OK" if ratio >= 0.25 and api_pct["p99"] < 100 else "BELOW TARGET"
    print(f"ratio API/raw: {ratio:.1%} (target ≥ 25 % with p99 < 100 ms): {verdict}")
    print("\n== profile ==")
    print(profile)


if __name__ == "__main__":
    main()
