"""``shanzhi backup`` and ``shanzhi restore`` on the suite's own database (SQLite or PostgreSQL) and media folder:
what was there comes back, what came after goes, and a damaged archive changes nothing."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shanzhi.appeals.models import Appeal
from shanzhi.core.backup import backup_verify
from shanzhi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "appeals" / "2026").mkdir(parents=True)
    (root / "appeals" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 a photo of the broken lamp")
    settings.MEDIA_ROOT = str(root)
    return root


def _archive(tmp_path: Path) -> Path:
    call_command("backup", output=tmp_path / "backups")
    (archive,) = (tmp_path / "backups").glob("shanzhi-*.tar")
    return archive


def test_a_restore_brings_back_the_database_and_the_files_as_they_were(desk, intake, media, tmp_path):
    kept = intake(content="和平路的路灯不亮")
    archive = _archive(tmp_path)
    manifest = backup_verify(archive)
    assert "media/appeals/2026/photo.jpg" in manifest["members"] and "appeals.0001_initial" in manifest["migrations"]

    Appeal.objects.filter(pk=kept.pk).delete()
    later = intake(content="备份之后才登记的诉求")
    (media / "appeals" / "2026" / "photo.jpg").unlink()
    (media / "after.txt").write_text("written after the backup")

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), yes=True)

    assert Appeal.objects.filter(pk=kept.pk, content="和平路的路灯不亮").exists()
    assert not Appeal.objects.filter(pk=later.pk).exists()
    assert (media / "appeals" / "2026" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo of the broken lamp"
    assert not (media / "after.txt").exists()


def test_a_damaged_archive_is_refused_before_anything_changes(desk, intake, media, tmp_path):
    intake()
    archive = _archive(tmp_path)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name.startswith("media/"):
                body = b"tampered" + (data.read() if data else b"")
                member.size = len(body)
                import io

                target.addfile(member, io.BytesIO(body))
            else:
                target.addfile(member, data)
    before = Appeal.objects.count()
    extra = intake(content="恢复失败后必须还在的诉求")

    with pytest.raises(CommandError, match="backup_corrupt"):
        call_command("restore", str(damaged), yes=True)
    assert Appeal.objects.filter(pk=extra.pk).exists() and Appeal.objects.count() == before + 1

    with pytest.raises(ValidationFailed) as refused:
        backup_verify(tmp_path / "nowhere.tar")
    assert refused.value.code == "backup_missing"
