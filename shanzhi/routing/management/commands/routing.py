"""``shanzhi routing train|evaluate|predict`` — the routing classifier from the command line."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.routing import classifier
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.evaluation import Evaluation, cross_validate, model_evaluate
from shanzhi.routing.classifier.training import (
    Example,
    csv_examples,
    history_examples,
    model_train,
    seed_examples,
)


class Command(BaseCommand):
    help = "诉求智能分类：训练(train)、评估(evaluate)、预测(predict)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="训练新模型并设为当前模型")
        self._csv_args(train, required=False)
        train.add_argument("--no-seed", action="store_true", help="不使用内置种子语料")
        train.add_argument("--no-history", action="store_true", help="不使用本中心已确认的历史诉求")
        train.add_argument("--no-promote", action="store_true", help="只保存版本，不设为当前模型")
        evaluate = sub.add_parser("evaluate", help="评估：--folds K 为该文件内K折交叉验证；否则测试当前模型")
        self._csv_args(evaluate, required=True)
        evaluate.add_argument("--folds", type=int, default=0)
        evaluate.add_argument("--label-depth", type=int, default=0, help="把标签路径截到前N级(1=一级分类)")
        evaluate.add_argument("--label-space", choices=["auto", "own", "reference"], default="auto")
        evaluate.add_argument("--no-confusion", action="store_true", help="不打印混淆矩阵")
        sub.add_parser("versions", help="模型版本及影子评估对比（新模型与当前模型在近期已确认诉求上的表现）")
        predict = sub.add_parser("predict", help="对一段文本给出前3个分类及分数")
        predict.add_argument("text")
        predict.add_argument("-k", type=int, default=3)

    @staticmethod
    def _csv_args(parser: argparse.ArgumentParser, *, required: bool) -> None:
        parser.add_argument("--csv", required=required, help="UTF-8 CSV 文件")
        parser.add_argument("--text-col", default="text", help="文本列，多个用逗号连接，如 title,text")
        parser.add_argument("--label-col", default="category_path", help="标签列：一级分类名或完整路径")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "train":
            self._train(opts)
        elif action == "evaluate":
            self._evaluate(opts)
        elif action == "versions":
            self._versions()
        else:
            self._predict(opts)

    # --- actions ----------------------------------------------------------------------------------------------

    def _read(self, opts: dict[str, Any]) -> list[Example]:
        cols = [c.strip() for c in opts["text_col"].split(",") if c.strip()]
        try:
            return csv_examples(opts["csv"], text_cols=cols, label_col=opts["label_col"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, opts: dict[str, Any]) -> None:
        examples: list[Example] = []
        source: dict[str, Any] = {}
        if opts["csv"]:
            examples += self._read(opts)
            source["csv"] = str(opts["csv"])
        if not opts["no_seed"]:
            seed = seed_examples()
            examples += seed
            source["seed_corpus"] = len(seed)
        if not opts["no_history"]:
            history = history_examples()
            examples += history
            source["history"] = len(history)
        if len({e.label for e in examples}) < 2:
            raise CommandError("训练数据不足：至少需要两个分类")
        started = time.perf_counter()
        model = model_train(examples, with_keywords=not opts["no_seed"], seed_calibration=not opts["no_seed"])
        held = seed_examples("heldout")
        metrics = model_evaluate(model, [e.text for e in held], [e.label for e in held]).summary()
        version = store.version_save(model, metrics={"seed_heldout": metrics}, source=source)
        if not opts["no_promote"]:
            store.version_promote(version)
        self.stdout.write(
            f"模型 {version}：{len(examples)} 条训练数据，{model.info['n_classes']} 个分类，"
            f"{time.perf_counter() - started:.1f} 秒；种子留出集准确率 {metrics['accuracy']:.3f}"
            + ("" if opts["no_promote"] else "，已设为当前模型")
        )

    def _evaluate(self, opts: dict[str, Any]) -> None:
        examples = self._read(opts)
        if opts["label_depth"] > 0:
            examples = [Example(e.text, "/".join(e.label.split("/")[: opts["label_depth"]])) for e in examples]
        if not examples:
            raise CommandError("文件中没有带标签的数据")
        texts, labels = [e.text for e in examples], [e.label for e in examples]
        if opts["folds"]:
            if opts["folds"] < 2:
                raise CommandError("--folds 至少为 2")
            result = cross_validate(texts, labels, folds=opts["folds"])
            heading = f"{opts['folds']} 折交叉验证（仅用该文件）"
        else:
            version, model = classifier.model_current()
            result = model_evaluate(model, texts, labels, mode=opts["label_space"])
            heading = f"当前模型 {version}，标签空间 {result.mode}"
        self._report(heading, result, confusion=not opts["no_confusion"])

    def _report(self, heading: str, r: Evaluation, *, confusion: bool) -> None:
        out = self.stdout
        out.write(f"{heading}：{r.n} 条")
        out.write(f"accuracy {r.accuracy:.4f}  macro-F1 {r.macro_f1:.4f}  top-3 {r.top3_accuracy:.4f}  ECE {r.ece:.4f}")
        out.write(f"{'class':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
        for row in r.rows:
            out.write(f"{row.label:<28}{row.precision:>10.3f}{row.recall:>10.3f}{row.f1:>10.3f}{row.support:>9}")
        if confusion:
            out.write("confusion (rows = truth, columns = predicted, labels numbered as listed):")
            for i, label in enumerate(r.labels):
                out.write(f"{i:>3} {label}")
            out.write("    " + " ".join(f"{j:>4}" for j in range(len(r.labels))))
            for i, line in enumerate(r.confusion):
                out.write(f"{i:>3} " + " ".join(f"{v:>4}" for v in line))
        # A line of its own after the existing ones, so that scripts reading the lines above are undisturbed.
        out.write(
            f"auto-dispatch at threshold {r.threshold:.2f}: share {r.auto_share:.4f}  accuracy {r.auto_accuracy:.4f}"
        )

    def _versions(self) -> None:
        """For the administrator: every version, and for a retrained one its shadow comparison and the decision."""
        manifest = store.manifest_read()
        for entry in manifest["versions"]:
            mark = "*" if entry["version"] == manifest.get("current") else " "
            info = entry.get("info", {})
            self.stdout.write(
                f"{mark} {entry['version']}  {entry['created_at'][:16]}  {info.get('backend', '')}  "
                f"训练 {info.get('n_train', '-')} 条"
            )
            shadow = entry.get("metrics", {}).get("shadow")
            if shadow:
                cand, curr = shadow.get("candidate") or {}, shadow.get("current") or {}
                self.stdout.write(
                    f"    影子评估：近期已确认 {shadow['n_recent']} 条（其中派单员改判 {shadow['n_corrected']} 条）；"
                    f"新模型 准确率 {cand.get('accuracy', 0):.3f} 宏F1 {cand.get('macro_f1', 0):.3f}；"
                    f"当前 {shadow.get('current_version') or '无'} 准确率 {curr.get('accuracy', 0):.3f} "
                    f"宏F1 {curr.get('macro_f1', 0):.3f}"
                )
                self.stdout.write(f"    结论：{shadow['decision']}")

    def _predict(self, opts: dict[str, Any]) -> None:
        result = classifier.classify(opts["text"], k=opts["k"])
        for rank, (cid, path, score) in enumerate(result.top, start=1):
            out_id = cid if cid is not None else "-"
            self.stdout.write(f"{rank}. {path}  {score:.3f}  (id {out_id})")
        state = "可自动派单" if result.confident else "置信度不足，转派单员"
        self.stdout.write(f"模型 {result.model_version}；{state}")
