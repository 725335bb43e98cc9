#!/usr/bin/env python
"""Knowledge-base search benchmark: index thousands of generated Chinese articles, then time article_search.

    .venv/bin/python benchmarks/knowledge.py                      # 5,000 articles, 20 queries × 20 rounds
    .venv/bin/python benchmarks/knowledge.py --articles 20000 --rounds 50

The articles are the seed set's sentences recombined under new titles (realistic vocabulary and length), all
published and valid. Creates and drops its own database on 127.0.0.1 (BENCH_PG, default
postgres://postgres@127.0.0.1:5432). Prints indexing rate, index size and search latency percentiles.

Last result (3,000 articles, PostgreSQL on the same host, 200 queries): indexed at ~50 articles/s, 246 index rows
per article; article_search p50 18.8 ms, p95 134.6 ms, max 190.9 ms. The generated corpus reuses the seed set's
~1,000 sentences, so most words occur in many articles; a real corpus is more varied (faster).
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _common import ROOT, bench_database, django_setup, percentiles

QUERIES = [
    "公租房怎么申请",
    "家里暖气不热怎么办",
    "楼上漏水邻居不管",
    "去外地看病能直接报销吗",
    "楼道里给电动车充电",
    "低保怎么申请",
    "老板拖欠工资不给",
    "遛狗不拴绳",
    "80岁老人有什么补贴",
    "退休手续要什么材料",
    "燃气泄漏怎么办",
    "停水什么时候恢复",
    "小区私搭乱建",
    "孩子上小学怎么划片",
    "预付卡商家跑路",
    "加装电梯要多少人同意",
    "居住证怎么办",
    "创业贷款条件",
    "残疾人补贴",
    "物业服务太差能换吗",
]


def generate(n: int, seed: int = 7) -> list[dict]:
    rows = json.loads((ROOT / "shanzhi" / "knowledge" / "data" / "seed_articles.json").read_text(encoding="utf-8"))
    sentences = [s for r in rows for s in r["body"].replace("\n", "。").split("。") if len(s) > 6]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = rows[i % len(rows)]
        body = "。".join(rng.sample(sentences, 8)) + "。"
        out.append(
            {
                "code": f"BENCH-{i:06d}",
                "title": f"{base['title']}（第{i}号问答）",
                "summary": "。".join(rng.sample(sentences, 2)) + "。",
                "body": body,
                "keywords": base["keywords"],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with bench_database("shanzhi_bench_knowledge") as url:
        django_setup(url)
        from shanzhi.knowledge.models import Article, ArticleToken
        from shanzhi.knowledge.selectors import article_search
        from shanzhi.knowledge.services import article_index

        started = time.perf_counter()
        articles = Article.objects.bulk_create(
            [Article(is_published=True, **row) for row in generate(args.articles)], batch_size=1000
        )
        for article in articles:
            article_index(article=article)
        indexing = time.perf_counter() - started
        tokens = ArticleToken.objects.count()
        print(
            f"indexed {len(articles)} articles in {indexing:.1f} s ({len(articles) / indexing:.0f}/s), "
            f"{tokens} index rows ({tokens / len(articles):.0f} per article)"
        )

        article_search(query="预热")  # jieba's dictionary loads once per process
        samples: list[float] = []
        for _ in range(args.rounds):
            for query in QUERIES:
                t0 = time.perf_counter()
                article_search(query=query, limit=10)
                samples.append(time.perf_counter() - t0)
        stats = percentiles(samples)
        print(f"article_search over {len(samples)} queries: " + ", ".join(f"{k} {v:.1f} ms" for k, v in stats.items()))


if __name__ == "__main__":
    main()
