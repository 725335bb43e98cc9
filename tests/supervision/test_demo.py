"""The demo leaves a realistic mix of supervision orders: some replied (a few late), some closed, some still open,
a few urged and a few pressed by hand — made through the services, and not made twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from shanzhi.appeals.models import AppealEvent
from shanzhi.demo import extensions
from shanzhi.demo.district import demo_load as district_demo_load
from shanzhi.supervision.demo import demo_load
from shanzhi.supervision.models import SupervisionOrder, SupervisionUrge

NOW = dt.datetime(2025, 11, 20, 2, 30, tzinfo=dt.UTC)  # 10:30 at the centre


@pytest.mark.django_db
def test_the_demo_answers_urges_and_closes_a_mix_of_orders(monkeypatch) -> None:
    monkeypatch.setattr(extensions, "app_demos", lambda: iter(()))  # the desk's demo alone, then this app's
    district_demo_load(appeals=120, seed=11, now=NOW, train_classifier=False)
    automatic = SupervisionOrder.objects.count()
    assert automatic > 5 and not SupervisionOrder.objects.exclude(state="open").exists()

    lines = demo_load(seed=11, now=NOW, scale="demo")
    assert lines and lines[0].startswith("督办演示")
    states = Counter(SupervisionOrder.objects.values_list("state", flat=True))
    assert states["replied"] > 0 and states["closed"] > 0 and states["open"] > 0, states
    answered = SupervisionOrder.objects.filter(replied_at__isnull=False)
    assert all(o.issued_at < o.replied_at < NOW for o in answered)
    assert all(o.replied_late == (o.replied_at > o.reply_due_at) for o in answered)
    assert SupervisionOrder.objects.filter(trigger="manual", issued_by__isnull=False).exists()
    assert SupervisionUrge.objects.exists()
    # every step wrote its event
    steps = Counter(
        AppealEvent.objects.filter(kind="supervised")
        .exclude(payload__action=None)
        .values_list("payload__action", flat=True)
    )
    assert steps["replied"] == answered.count() + steps["rejected"]
    assert steps["closed"] == states["closed"]

    before = list(SupervisionOrder.objects.order_by("id").values_list("id", "state", "urge_count"))
    assert demo_load(seed=11, now=NOW, scale="demo") == ["督办演示：已有回复或办结的督办单，跳过"]
    assert list(SupervisionOrder.objects.order_by("id").values_list("id", "state", "urge_count")) == before
