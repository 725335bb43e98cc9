"""Leader election for singleton processes (the scheduler): one holds the lock, the others wait as standbys.

PostgreSQL: a session-level advisory lock held on a connection of the lock's own (not Django's, which is closed and
reopened between requests), so the lock lasts exactly as long as the leader lives — a killed leader's connection
drops and the lock with it, and a standby takes over within one poll. SQLite (one machine by definition): an
exclusive ``flock`` on a file under ``var/``, released by the kernel when the process dies.

The scheduler's slot claims (``core.periodic``) stay as the second guard: even two leaders would enqueue each slot
once.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def _key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(f"shanzhi:{name}".encode()).digest()[:8], "big", signed=True)


class LeaderLock:
    def __init__(self, name: str, *, alias: str = "default") -> None:
        self.name = name
        self.alias = alias
        self._connection: Any = None
        self._file: Any = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True if this process now leads (or already did)."""
        if self.held:
            return self.still_held()
        wrapper = connections[self.alias]
        if wrapper.vendor == "postgresql":
            raw = wrapper.get_new_connection(wrapper.get_connection_params())
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(self.name)])
                (won,) = cursor.fetchone()
            if won:
                self._connection = raw
            else:
                raw.close()
            return bool(won)
        path = Path(settings.VAR_DIR) / f"{self.name}.lock"
        handle = path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL restart ends the session and the lock with it)."""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:
            logger.warning("leader lock %s lost (%s)", self.name, type(error).__name__)
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(self.name)])
            except Exception:
                logger.debug("leader lock %s: unlock failed, dropping the connection", self.name)
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                logger.debug("leader lock %s: close failed", self.name)
            self._connection = None
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None
