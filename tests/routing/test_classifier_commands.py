"""``shanzhi routing train|evaluate|predict`` on a tiny CSV, and the retrain task's promotion."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from shanzhi.routing import classifier
from shanzhi.routing.classifier import store

from .test_classifier import TINY


@pytest.fixture
def tiny_csv(tmp_path):
    path = tmp_path / "tiny.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "text", "label", "level1"])
        for label, items in TINY.items():
            for i, text in enumerate(items):
                writer.writerow([f"反映{i}", text, label, label.split("/")[0]])
    return path


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SHANZHI_ROUTING_MODEL_DIR = str(tmp_path / "models")
    classifier.reset()
    yield
    classifier.reset()


def run(*args: str) -> str:
    out = StringIO()
    call_command("routing", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_train_evaluate_predict(tiny_csv, model_dir, monkeypatch):
    # The shipped held-back check of `train` is swapped for the tiny file itself to keep the test fast.
    from shanzhi.routing.classifier import training

    monkeypatch.setattr(training, "SEED_DIR", tiny_csv.parent)
    (tiny_csv.parent / "heldout.csv").write_text(
        "title,text,category_path\n,暖气不热屋里冷,供水供电供气供热/供热/暖气不热\n", encoding="utf-8"
    )
    out = run("train", "--csv", str(tiny_csv), "--text-col", "title,text", "--label-col", "label", "--no-seed")
    assert "v1" in out and "已设为当前模型" in out
    assert store.current_version() == "v1"

    out = run("evaluate", "--csv", str(tiny_csv), "--text-col", "title,text", "--label-col", "level1")
    assert "accuracy" in out and "macro-F1" in out and "confusion" in out
    lines = out.splitlines()
    assert lines[1].startswith("accuracy ") and " macro-F1 " in lines[1] and " ECE " in lines[1]  # as before
    assert lines[-1].startswith("auto-dispatch at threshold 0.80: share ")
    assert "供水供电供气供热" in out

    out = run("evaluate", "--csv", str(tiny_csv), "--text-col", "text", "--label-col", "label", "--folds", "2")
    assert "2 折交叉验证" in out and "accuracy" in out

    out = run("predict", "家里暖气一点也不热")
    assert out.splitlines()[0].startswith("1. 供水供电供气供热/供热/暖气不热")
    assert len([line for line in out.splitlines() if line[:2] in {"1.", "2.", "3."}]) == 3

    out = run("predict", "")
    assert "置信度不足" in out


@pytest.mark.django_db
def test_evaluate_rejects_missing_column(tiny_csv, model_dir):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("evaluate", "--csv", str(tiny_csv), "--label-col", "nope", "--folds", "2")


@pytest.mark.django_db
def test_retrain_task_promotes_only_when_it_can_prove_itself(model_dir, monkeypatch):
    from shanzhi.routing import tasks
    from shanzhi.routing.classifier.model import classifier_train
    from shanzhi.routing.classifier.training import Example

    tiny = [Example(text, label) for label, items in TINY.items() for text in items]
    monkeypatch.setattr(tasks, "seed_examples", lambda split="train": tiny)
    monkeypatch.setattr(
        tasks,
        "model_train",
        lambda examples, **kw: classifier_train(
            [e.text for e in examples], [e.label for e in examples], calibration_share=0.0, n_jobs=1
        ),
    )
    first = tasks.retrain_classifier.call()
    assert first["promoted"] and store.current_version() == first["version"] == "v1"
    # No recent confirmed history to compare on: the new candidate is kept as a version but not promoted.
    second = tasks.retrain_classifier.call()
    assert not second["promoted"] and store.current_version() == "v1"
    assert [v["version"] for v in store.manifest_read()["versions"]] == ["v1", "v2"]
