#!/usr/bin/env python
"""Worker throughput: N real background tasks (deliveries of citizens' SMS notices from the outbox, through the log
backend) queued in the database, then W ``shanzhi worker`` processes started together; tasks per second until the
queue is empty, and the share each worker took.

    .venv/bin/python benchmarks/worker.py                    # 5,000 tasks, 2 workers
    .venv/bin/python benchmarks/worker.py --tasks 20000 --workers 4

Creates and drops its own database on 127.0.0.1 (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _common import ROOT, bench_database, django_setup, load_district


def queue_tasks(n: int) -> None:
    """``n`` appeals with a phone, and one notice each queued in the outbox with its delivery task."""
    from django.db import transaction

    from shanzhi.appeals.models import Appeal
    from shanzhi.core import clock
    from shanzhi.notifications.services import notify_citizen

    now = clock.now()
    appeals = [
        Appeal(
            tracking_no=f"WB{now:%Y%m%d}-{i:06d}",
            channel="hotline",
            content=f"第{i}号：路灯不亮",
            citizen_phone=f"138{i:08d}",
            created_at=now,
            state="accepted",
        )
        for i in range(n)
    ]
    Appeal.objects.bulk_create(appeals, batch_size=2000)
    for start in range(0, n, 500):
        with transaction.atomic():
            for appeal in Appeal.objects.order_by("pk")[start : start + 500]:
                notify_citizen(appeal=appeal, event="accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with bench_database("shanzhi_bench_worker") as url:
        os.environ["SHANZHI_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
        django_setup(url)
        load_district()
        from django_tasks_db.models import DBTaskResult

        queue_tasks(args.tasks)
        ready = DBTaskResult.objects.filter(status="READY").count()
        print(f"queued: {ready} tasks")
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        command = [sys.executable, "-m", "shanzhi.cli", "worker", "--interval", "0.05"]
        started = time.monotonic()
        workers = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(args.workers)]
        try:
            while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
                time.sleep(0.05)
            elapsed = time.monotonic() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
        done = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
        shares: dict[str, int] = {}
        for ids in DBTaskResult.objects.values_list("worker_ids", flat=True):
            for worker_id in ids[-1:]:
                shares[worker_id] = shares.get(worker_id, 0) + 1
        print(f"{done} tasks in {elapsed:.1f} s with {args.workers} workers: {done / elapsed:.0f} tasks/s")
        print(f"tasks per worker: {sorted(shares.values(), reverse=True)}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
