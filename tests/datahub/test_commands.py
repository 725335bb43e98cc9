"""The CLI import (progress, the error list, nothing stored on error) and the field-key rotation."""

from __future__ import annotations

import io

import openpyxl
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from shanzhi.core import pii
from shanzhi.datahub.models import HubBuilding, Person

from .conftest import make_id, xlsx
from .test_import import persons_rows


def test_cli_import_reports_progress_and_errors(hub, buildings_file, tmp_path):
    path = tmp_path / "楼栋.xlsx"
    path.write_bytes(buildings_file)
    out = io.StringIO()
    call_command("datahub_import", "buildings", str(path), "--user", hub.importer.username, stdout=out)
    assert "写入 3/3" in out.getvalue() and "新增 3" in out.getvalue()
    assert HubBuilding.objects.count() == 3

    broken = tmp_path / "人口.xlsx"
    broken.write_bytes(xlsx(persons_rows(broken=True)))
    report = tmp_path / "errors.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "datahub_import",
            "persons",
            str(broken),
            "--user",
            hub.importer.username,
            "--errors",
            str(report),
            stdout=out,
        )
    assert "第3行 身份证号 [id_checksum]" in out.getvalue()
    assert Person.objects.count() == 0
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[1][:3] == (3, "身份证号", "id_checksum")


def test_rotation_re_encrypts_under_the_new_key(hub, load, buildings_file, settings):
    old_key = Fernet.generate_key().decode()
    settings.SHANZHI = {**settings.SHANZHI, "FIELD_KEY": old_key}
    pii._fernet.cache_clear()
    try:
        load("buildings", buildings_file)
        load("persons", xlsx(persons_rows(broken=False)))
        before = Person.objects.get(name="张三").id_cipher
        settings.SHANZHI = {**settings.SHANZHI, "FIELD_KEY": Fernet.generate_key().decode()}
        pii._fernet.cache_clear()
        assert Person.objects.get(name="张三").id_number_clear() == ""  # the new key cannot open old values
        out = io.StringIO()
        call_command("datahub_rotate_key", "--old-key", old_key, stdout=out)
        zhang = Person.objects.get(name="张三")
        assert zhang.id_cipher != before and zhang.id_number_clear() == make_id(1)
        assert zhang.phone_clear() == "13800001234"
        assert "datahub.Person 重新加密 7 条" in out.getvalue()
        again = io.StringIO()
        call_command("datahub_rotate_key", "--old-key", old_key, stdout=again)
        assert "datahub.Person 重新加密 0 条" in again.getvalue()
    finally:
        pii._fernet.cache_clear()
