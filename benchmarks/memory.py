#!/usr/bin/env python
"""Memory per web worker: gunicorn with sync workers on the model district (the demo: 400 appeals replayed through
the services, a classifier), every kind of page and API call requested many times, then each worker's resident set
(VmRSS from /proc) read — after start-up and after the load.

    .venv/bin/python benchmarks/memory.py                 # 2 workers, 300 rounds of requests
    .venv/bin/python benchmarks/memory.py --workers 3 --rounds 1000

Creates and drops its own database on 127.0.0.1 (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

from _common import ROOT, bench_database, django_setup

HOST = "127.0.0.1"


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class Session:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn.request(method, path, body=body or None, headers=all_headers)
        response = conn.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({k: v.value for k, v in cookie.items()})
        conn.close()
        return response.status

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/console/login/")
        token = self.cookies.get("csrftoken", "")
        body = f"username={username}&password={password}&csrfmiddlewaretoken={token}"
        status = self.request(
            "POST", "/console/login/", body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{self.port}/console/login/"},
        )  # fmt: skip
        assert status == 302, f"login of {username} answered {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--no-classify", dest="classify", action="store_false", help="no raw appeals via the API")
    args = parser.parse_args()
    with bench_database("shanzhi_bench_memory") as url:
        django_setup(url)
        from django.core.management import call_command

        call_command("demo", "--appeals", "400", verbosity=0)
        from shanzhi.appeals.models import Appeal

        appeal_ids = list(Appeal.objects.values_list("pk", flat=True)[:50])
        from shanzhi.orgs.apikeys import apikey_create
        from shanzhi.orgs.models import User

        _, api_key = apikey_create(user=User.objects.get(username="integration"), name="memory benchmark")
        from socket import socket

        with socket() as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "shanzhi.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
             "--worker-class", "sync", "--log-level", "warning", "--max-requests", "0"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if Session(port).request("GET", "/healthz") == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            time.sleep(1)
            workers = children(server.pid)
            at_start = {pid: rss_mb(pid) for pid in workers}
            leader, handler = Session(port), Session(port)
            leader.login("leader", "shanzhi-demo")
            handler.login("cg_handler", "shanzhi-demo")
            pages = ["/console/", "/console/?bucket=overdue", "/console/reports/", "/console/reports/weekly/",
                     "/console/supervision/", "/console/kb/", "/console/hotspots/", "/console/duplicates/"]  # fmt: skip
            statuses: dict[int, int] = {}
            for round_no in range(args.rounds):
                for path in pages:
                    code = leader.request("GET", path)
                    statuses[code] = statuses.get(code, 0) + 1
                code = leader.request("GET", f"/console/appeals/{appeal_ids[round_no % len(appeal_ids)]}/")
                statuses[code] = statuses.get(code, 0) + 1
                code = handler.request("GET", "/console/")
                statuses[code] = statuses.get(code, 0) + 1
                code = leader.request("GET", "/m/")
                statuses[code] = statuses.get(code, 0) + 1
                if args.classify:  # a raw appeal without a category: the classifier is loaded and used
                    body = json.dumps(
                        {"channel": "hotline", "content": f"第{round_no}次来电：小区暖气不热，屋里才十四度"}
                    )
                    code = Session(port).request(
                        "POST", "/api/v1/appeals", body, {"Content-Type": "application/json", "X-API-Key": api_key}
                    )
                    statuses[code] = statuses.get(code, 0) + 1
            after = {pid: rss_mb(pid) for pid in workers}
        finally:
            server.terminate()
            server.wait(30)
        print(f"statuses: {statuses}")
        for pid in workers:
            print(f"worker {pid}: RSS {at_start[pid]:.0f} MB after start-up, {after[pid]:.0f} MB after "
                  f"{args.rounds} rounds")  # fmt: skip
        print(f"largest worker: {max(after.values()):.0f} MB (target < 150 MB); load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
