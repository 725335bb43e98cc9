"""Run by test_faults.py in a process of its own (DATABASE_URL = the test's own cluster): the minimal district of the
benchmarks and an integration key. Prints one JSON line: the key, grid codes and category codes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")

import django  # noqa: E402

django.setup()

from _common import load_district  # noqa: E402

from shanzhi.orgs.apikeys import apikey_create  # noqa: E402

district = load_district()
# The clients hammer the API on purpose: the key's per-minute limit must not be what the test measures.
_, key = apikey_create(user=district["user"], name="fault test", rate_limit_per_minute=100_000)
print(
    json.dumps(
        {
            "key": key,
            "grids": [g.code for g in district["grids"]],
            "categories": [c.code for c in district["categories"]],
        }
    )
)
