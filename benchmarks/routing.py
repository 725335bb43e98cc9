"""Routing benchmark: classify + locate + choose units per appeal (p50/p99), and training time on 100k appeals.

    .venv/bin/python benchmarks/routing.py [--appeals 2000] [--train 100000] [--skip-train]

Uses a throw-away PostgreSQL database (see _common.py) with the minimal district, 8 grid polygons, the full
category tree of ``shanzhi/routing/data/categories.csv`` and the model trained on the seed corpus (in a temporary
model directory). Per appeal: ``classify(title + text)`` → ``location_resolve(point)`` → ``dispatch_plan(category,
grid)``, timed together and separately, over held-back seed messages (wording the model has not seen).
The training run synthesises N messages with the seed generator (training templates, fresh random seeds) and
times ``model_train`` (features + linear model + calibration) with 2 jobs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, django_setup, load_district, percentiles


def grid_boundaries(grids: list) -> None:  # type: ignore[type-arg]
    """Eight rectangles tiling the district's test square (2 × 4)."""
    from shanzhi.orgs.models import Boundary

    for i, grid in enumerate(grids):
        x0 = 106.75 + (i % 4) * 0.0375
        y0 = 39.60 + (i // 4) * 0.075
        ring = [[x0, y0], [x0 + 0.0375, y0], [x0 + 0.0375, y0 + 0.075], [x0, y0 + 0.075], [x0, y0]]
        Boundary.objects.create(unit=grid, geojson={"type": "Polygon", "coordinates": [ring]})


def synthesise(n: int) -> tuple[list[str], list[str]]:
    from shanzhi.routing.classifier.text import join_fields
    from shanzhi.routing.data.seed_corpus.generate import banks_load, messages_for

    banks = banks_load()
    per_leaf = -(-n // len(banks))
    texts: list[str] = []
    labels: list[str] = []
    for bank in banks:
        for row in messages_for(bank, held=False, count=per_leaf, seed=987654):
            texts.append(join_fields(row["title"], row["text"]))
            labels.append(row["category_path"])
    return texts[:n], labels[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=2000)
    parser.add_argument("--train", type=int, default=100_000)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()

    with bench_database("shanzhi_bench_routing") as url, tempfile.TemporaryDirectory() as models:
        django_setup(url)
        from django.conf import settings

        settings.SHANZHI_ROUTING_MODEL_DIR = models
        from shanzhi.places.services import location_resolve
        from shanzhi.routing import classifier
        from shanzhi.routing.catalogue import catalogue
        from shanzhi.routing.category_files import category_tree_import_csv
        from shanzhi.routing.classifier.training import cold_start_ensure, model_train, seed_examples
        from shanzhi.routing.services import dispatch_plan

        district = load_district()
        grid_boundaries(district["grids"])
        tree = Path(__file__).resolve().parent.parent / "shanzhi" / "routing" / "data" / "categories.csv"
        from shanzhi.routing.models import Category, DispatchRule

        DispatchRule.objects.all().delete()  # the minimal district's two-node tree makes way for the real one
        for level in (3, 2, 1):
            Category.objects.filter(level=level).delete()
        category_tree_import_csv(text=tree.read_text(encoding="utf-8"))
        urban = DispatchRule.objects.create(
            category=Category.objects.get(path="城市管理"), lead_unit=district["departments"][0]
        )
        urban.assisting_units.add(district["departments"][1])
        DispatchRule.objects.create(category=Category.objects.get(path="物业管理"), lead_unit=None)

        started = time.perf_counter()
        version = cold_start_ensure()
        print(f"cold-start model {version} trained on the seed corpus in {time.perf_counter() - started:.1f} s")

        held = seed_examples("heldout")
        rng = random.Random(7)
        appeals = [
            (rng.choice(held).text, 106.75 + rng.random() * 0.15, 39.60 + rng.random() * 0.15)
            for _ in range(args.appeals)
        ]
        categories = catalogue().categories
        for text, lon, lat in appeals[:50]:  # warm-up: caches, jieba, first queries
            classifier.classify(text)
            location_resolve(longitude=lon, latitude=lat)
        totals, t_classify, t_locate, t_choose = [], [], [], []
        auto = 0
        for text, lon, lat in appeals:
            t0 = time.perf_counter()
            result = classifier.classify(text)
            t1 = time.perf_counter()
            where = location_resolve(longitude=lon, latitude=lat)
            t2 = time.perf_counter()
            category_id = result.top[0][0]
            dispatch_plan(category=categories.get(category_id) if category_id else None, area=where.area)
            t3 = time.perf_counter()
            totals.append(t3 - t0)
            t_classify.append(t1 - t0)
            t_locate.append(t2 - t1)
            t_choose.append(t3 - t2)
            auto += result.confident

        def show(name: str, samples: list[float]) -> None:
            p = percentiles(samples)
            print(f"{name:<26} p50 {p['p50']:.2f} ms   p95 {p['p95']:.2f} ms   p99 {p['p99']:.2f} ms")

        print(f"{len(appeals)} appeals (held-back seed messages, random points in the district):")
        show("classify+locate+choose", totals)
        show("  classify", t_classify)
        show("  locate", t_locate)
        show("  choose (dispatch_plan)", t_choose)
        print(f"  confident (≥ threshold, automatic): {auto / len(appeals):.1%}")
        # Long narrative letters (the hand-written held-out set): the texts that cost most per appeal.
        from shanzhi.routing.classifier.training import SEED_DIR, csv_examples

        letters = csv_examples(SEED_DIR / "letters_heldout.csv", text_cols=["title", "text"], label_col="label")
        t_letters = []
        for _ in range(3):
            for e in letters:
                t0 = time.perf_counter()
                classifier.classify(e.text)
                t_letters.append(time.perf_counter() - t0)
        show(f"  classify letters (avg {sum(len(e.text) for e in letters) / len(letters):.0f} ch)", t_letters)
        print(f"  model backend: {classifier.model_current()[1].info['backend']}")

        if not args.skip_train:
            from shanzhi.routing.classifier.training import Example

            t0 = time.perf_counter()
            texts, labels = synthesise(args.train)
            t1 = time.perf_counter()
            examples = [Example(t, label) for t, label in zip(texts, labels, strict=True)]
            model = model_train(examples, seed_calibration=True)
            t2 = time.perf_counter()
            avg = sum(map(len, texts)) / len(texts)
            print(
                f"training on {len(texts)} appeals (avg {avg:.0f} chars, {model.info['n_classes']} classes): "
                f"{t2 - t1:.1f} s  (synthesis {t1 - t0:.1f} s; {model.info['backend']})"
            )


if __name__ == "__main__":
    main()
