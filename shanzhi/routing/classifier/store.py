"""Model versions as files: ``<dir>/v<N>.joblib`` plus ``manifest.json`` naming the current (promoted) version.

The directory is ``settings.SHANZHI_ROUTING_MODEL_DIR`` or ``VAR_DIR/models/routing``. Writes are atomic
(temporary file + ``os.replace``) so that a web process never reads half a manifest or half a model.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings

from shanzhi.core import clock
from shanzhi.routing.classifier.model import TextClassifier

MANIFEST = "manifest.json"


def model_dir() -> Path:
    configured = getattr(settings, "SHANZHI_ROUTING_MODEL_DIR", None)
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "models" / "routing"
    path.mkdir(parents=True, exist_ok=True)
    return path


def manifest_path() -> Path:
    return model_dir() / MANIFEST


def manifest_read() -> dict[str, Any]:
    path = manifest_path()
    if not path.exists():
        return {"current": None, "versions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_stamp() -> float | None:
    """Changes whenever the manifest is rewritten; callers cache the model against it."""
    try:
        return manifest_path().stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)  # readable by the web and worker processes, like any file they did not create
    os.replace(tmp, path)


def _manifest_write(manifest: dict[str, Any]) -> None:
    _atomic_write(manifest_path(), json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))


def version_save(model: TextClassifier, *, metrics: dict[str, Any], source: dict[str, Any]) -> str:
    """Store a trained model as the next version (not promoted). Returns the version name, e.g. ``v7``."""
    manifest = manifest_read()
    number = 1 + max((int(v["version"].lstrip("v")) for v in manifest["versions"]), default=0)
    version = f"v{number}"
    file = model_dir() / f"{version}.joblib"
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
    os.close(fd)
    joblib.dump(model, tmp, compress=3)
    os.chmod(tmp, 0o644)
    os.replace(tmp, file)
    manifest["versions"].append(
        {
            "version": version,
            "file": file.name,
            "created_at": clock.now().isoformat(),
            "info": model.info,
            "metrics": metrics,
            "source": source,
            "promoted_at": None,
        }
    )
    _manifest_write(manifest)
    return version


def version_promote(version: str) -> None:
    manifest = manifest_read()
    entry = next((v for v in manifest["versions"] if v["version"] == version), None)
    if entry is None:
        raise KeyError(version)
    entry["promoted_at"] = clock.now().isoformat()
    manifest["current"] = version
    _manifest_write(manifest)


def version_load(version: str) -> TextClassifier:
    manifest = manifest_read()
    entry = next(v for v in manifest["versions"] if v["version"] == version)
    model = joblib.load(model_dir() / entry["file"])
    if not isinstance(model, TextClassifier):
        raise TypeError(f"{entry['file']} is not a routing classifier")
    return model


def current_version() -> str | None:
    current = manifest_read().get("current")
    return str(current) if current else None
