"""``shanzhi demo`` gathers each app's own ``demo.py`` (the composition layer calls up; no app imports it)."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

from shanzhi.demo import extensions


def test_an_apps_demo_module_is_called_with_seed_now_and_scale(monkeypatch, with_app_demos):
    calls = []

    def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
        calls.append((seed, now, scale))
        return [f"知识库演示：{scale}"]

    module = types.ModuleType("shanzhi.knowledge.demo")
    module.demo_load = demo_load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shanzhi.knowledge.demo", module)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    found = dict(extensions.app_demos())
    assert found["knowledge"] is demo_load
    # Only the fake module runs here (the real apps' demos need a database; tests/demo/test_demo.py runs them).
    monkeypatch.setattr(extensions, "app_demos", lambda: iter([("knowledge", found["knowledge"])]))
    assert extensions.app_demos_load(seed=7, now=now, scale="district") == ["知识库演示：district"]
    assert calls == [(7, now, "district")]


def test_apps_without_a_demo_module_are_skipped_and_unknown_scales_refused(with_app_demos):
    labels = [label for label, _load in extensions.app_demos()]
    assert "demo" not in labels and "core" not in labels
    assert {"grid", "datahub", "mediation"} <= set(labels)  # the capabilities that ship demo data are found
    with pytest.raises(ValueError, match="scale"):
        extensions.app_demos_load(seed=1, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), scale="city")
