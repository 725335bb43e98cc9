"""``shanzhi run``: the embedded web server's access log leaves query strings and referers out (they may carry a
citizen's phone number or words)."""

from __future__ import annotations

import signal
import subprocess

import pytest
from django.core.management import call_command


def test_the_access_log_keeps_query_strings_out(monkeypatch):
    started: list[list[str]] = []

    class Child:
        pid = 1

        def poll(self) -> int:
            return 0  # exits at once, so that run stops after starting it

        def terminate(self) -> None: ...

        def wait(self, timeout: float | None = None) -> int:
            return 0

    def popen(args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(list(args))
        return Child()

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    with pytest.raises(SystemExit):
        call_command("run", "--no-worker")
    (web,) = started
    assert "gunicorn" in web
    log_format = web[web.index("--access-logformat") + 1]
    assert "%(U)s" in log_format  # the path alone
    assert not {"%(r)s", "%(q)s", "%(f)s"} & {log_format[i : i + 5] for i in range(len(log_format))}
