"""``shanzhi scheduler [--once]``: enqueue the periodic jobs of :mod:`shanzhi.core.periodic` when they are due.

It never runs a job itself (``shanzhi worker`` does). Run one per node if you like: they elect a leader
(:mod:`shanzhi.core.leader`) and the others stand by, taking over within a poll when the leader dies; each slot is
claimed before it is enqueued, so even two leaders enqueue it once. ``--once`` (tests, cron) does not wait for the
lock.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.core import clock, periodic
from shanzhi.core.leader import LeaderLock

PRUNE_EVERY = 3600.0


class Command(BaseCommand):
    help = "定时任务调度：到点把周期任务放入任务队列（由 worker 执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="检查并入队一次后退出（用于测试和 cron）")
        parser.add_argument("--interval", type=float, default=15.0, help="两次检查的最长间隔（秒），默认 15")

    def handle(self, *args: Any, **options: Any) -> None:
        self._stopping = False
        if not options["once"]:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            names = ", ".join(f"{job.name} ({job.cron})" for job in periodic.jobs())
            self.stdout.write(f"scheduler started: {names}")
        last_prune = 0.0
        lock = LeaderLock("scheduler")
        leading: bool | None = None
        while True:
            if not options["once"]:
                now_leading = lock.try_acquire()
                if now_leading != leading:
                    self.stdout.write("scheduler leads" if now_leading else "scheduler stands by (another leads)")
                    leading = now_leading
                if not leading:
                    self._sleep(options["interval"])
                    if self._stopping:
                        break
                    continue
            for name, slot in periodic.enqueue_due(now=clock.now()):
                self.stdout.write(f"enqueued {name} for {slot.isoformat()}")
            if time.monotonic() - last_prune > PRUNE_EVERY:
                periodic.prune()
                last_prune = time.monotonic()
            if options["once"]:
                return
            self._sleep(options["interval"])
            if self._stopping:
                break
        lock.release()
        self.stdout.write("scheduler stopped")

    def _sleep(self, interval: float) -> None:
        """Sleep until just after the next whole minute (cron resolution) or ``interval``, whichever is first."""
        now = time.time()
        until = min(now + interval, (now // 60 + 1) * 60 + 0.5)
        while not self._stopping and time.time() < until:
            time.sleep(min(1.0, max(0.0, until - time.time())))

    def _stop(self, signum: int, frame: Any) -> None:
        self._stopping = True
