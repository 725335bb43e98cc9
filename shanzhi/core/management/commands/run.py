"""``shanzhi run``: the embedded profile in one command — the web server, a task worker and the scheduler.

The web server is gunicorn (threads, WSGI); the worker and the scheduler run as child processes and are stopped
with it. Production runs the three as separate services (docs/operations.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务、后台任务进程和定时调度（内嵌部署） / Serve the console with its worker and scheduler"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        exe = [sys.executable, "-m", "shanzhi.cli"]
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(subprocess.Popen([*exe, "worker"]))
            children.append(subprocess.Popen([*exe, "scheduler"]))
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "shanzhi.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["web_workers"]),
                "--threads",
                str(options["threads"]),
                "--access-logfile",
                "-",
                # The path without its query string, and no referer: neither may carry a citizen's data into logs.
                "--access-logformat",
                '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
                "--graceful-timeout",
                "10",
            ]
        )
        children.append(web)
        self.stdout.write(
            self.style.SUCCESS(f"善治 Shanzhi: http://{options['host']}:{options['port']}/console/ (Ctrl+C 停止)")
        )

        def stop(*_: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            for child in children:
                code = child.poll()
                if code is not None:
                    self.stderr.write(f"child process {child.pid} exited with {code}; stopping")
                    stop()
            time.sleep(1)
