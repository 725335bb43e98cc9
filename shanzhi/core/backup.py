"""Backups of a centre: the database and the uploaded files in one archive, and their restore.

The archive (``shanzhi-<UTC time>.tar``) holds:

- ``manifest.json``: when, which engine, the applied migrations, and the SHA-256 of every member;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite's online backup, a
  consistent copy while the centre keeps working);
- ``media/…``: the uploaded files (appeal photos and documents, evidence), unless left out.

A restore checks every checksum before it touches anything, refuses an archive of another engine, then replaces the
database (``pg_restore --clean --if-exists --single-transaction``: all or nothing; SQLite: the file swapped in one
rename) and the files (extracted beside the media folder, then swapped in). Run it with the web and worker processes
stopped. Passwords never appear on a command line: ``pg_dump``/``pg_restore`` get them through ``PGPASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ValidationFailed

FORMAT = 1
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    media_files: int
    size: int


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise ValidationFailed(_("不支持的数据库类型：%(vendor)s") % {"vendor": vendor}, code="backup_engine")
    return vendor


def _pg_env(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, and an environment carrying the password."""
    db: dict[str, Any] = dict(settings.DATABASES[alias])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _dump_database(alias: str, engine: str, into: Path) -> Path:
    if engine == "postgresql":
        target = into / PG_DUMP
        args, env = _pg_env(alias)
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args],
            env=env,
            check=True,
            capture_output=True,
        )
        return target
    target = into / SQLITE_COPY
    source = sqlite3.connect(str(settings.DATABASES[alias]["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


def backup_create(*, output_dir: Path, include_media: bool = True, alias: str = "default") -> BackupResult:
    """Write one archive of the database (and the uploaded files) into ``output_dir``; returns where."""
    engine = _engine(alias)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"shanzhi-{stamp}.tar"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output_dir) as work:
        dump = _dump_database(alias, engine, Path(work))
        applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[alias]).applied_migrations())
        members: dict[str, str] = {dump.name: _sha256(dump)}
        media = list(_media_files(media_root)) if include_media else []
        for path in media:
            members["media/" + path.relative_to(media_root).as_posix()] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "engine": engine,
            "migrations": applied,
            "media": include_media,
            "members": members,
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path in media:
                tar.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
        partial.replace(archive)  # a crashed backup never looks like a finished one
    return BackupResult(path=archive, engine=engine, media_files=len(media), size=archive.stat().st_size)


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise ValidationFailed(_("不是善治的备份文件（缺少 manifest.json）"), code="backup_not_an_archive")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(_("备份文件格式版本不受支持"), code="backup_format")
    return manifest


def backup_verify(path: Path) -> dict[str, Any]:
    """Read the archive and check every member against the manifest; returns the manifest."""
    if not path.is_file():
        raise ValidationFailed(_("找不到备份文件"), code="backup_missing")
    try:
        with tarfile.open(path, "r") as tar:
            manifest = _manifest(tar)
            for name, expected in manifest["members"].items():
                member = tar.extractfile(name)
                if member is None:
                    raise ValidationFailed(
                        _("备份文件不完整：缺少 %(name)s") % {"name": name}, code="backup_incomplete"
                    )
                digest = hashlib.sha256()
                for chunk in iter(lambda: member.read(1 << 20), b""):  # noqa: B023
                    digest.update(chunk)
                if digest.hexdigest() != expected:
                    raise ValidationFailed(
                        _("备份文件已损坏：%(name)s 校验失败") % {"name": name}, code="backup_corrupt"
                    )
    except tarfile.TarError as error:
        raise ValidationFailed(_("备份文件无法读取"), code="backup_unreadable") from error
    return manifest


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def backup_restore(*, path: Path, include_media: bool = True, alias: str = "default") -> dict[str, Any]:
    """Replace the database (and the uploaded files) with the archive's. Checks everything first."""
    manifest = backup_verify(path)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise ValidationFailed(
            _("备份来自 %(source)s 数据库，不能恢复到 %(target)s") % {"source": manifest["engine"], "target": engine},
            code="backup_engine_mismatch",
        )
    if any(not _safe_member(name) for name in manifest["members"]):
        raise ValidationFailed(_("备份文件含有不安全的路径"), code="backup_unsafe_path")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r") as tar:
        tar.extractall(work, filter="data")
        connections[alias].close()
        if engine == "postgresql":
            args, env = _pg_env(alias)
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    *args,
                    str(Path(work) / PG_DUMP),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
        else:
            target = Path(str(settings.DATABASES[alias]["NAME"]))
            staged = target.with_name(target.name + ".restoring")
            shutil.copyfile(Path(work) / SQLITE_COPY, staged)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            staged.replace(target)
        if include_media and manifest.get("media"):
            restored = Path(work) / "media"
            restored.mkdir(exist_ok=True)
            media_root.parent.mkdir(parents=True, exist_ok=True)
            incoming = media_root.with_name(media_root.name + ".restoring")
            shutil.rmtree(incoming, ignore_errors=True)
            shutil.copytree(restored, incoming)
            previous = media_root.with_name(media_root.name + ".previous")
            shutil.rmtree(previous, ignore_errors=True)
            if media_root.exists():
                media_root.replace(previous)
            incoming.replace(media_root)
            shutil.rmtree(previous, ignore_errors=True)
    return manifest
