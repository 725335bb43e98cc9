"""Personal data at rest: the ID number is stored encrypted (never in clear, in no column), the field key can be
rotated without losing a value, and a full view needs the permission and a reason."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from shanzhi.appeals.models import Appeal
from shanzhi.core import pii
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.personal_data import personal_data_reveal

from .conftest import CITIZEN_ID, scene_create, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def field_key(settings):
    """Set ``SHANZHI_FIELD_KEY`` for a test: ``field_key("new,old")``."""

    def use(value: str) -> None:
        settings.SHANZHI = {**settings.SHANZHI, "FIELD_KEY": value}
        pii.field_keys_changed()

    yield use
    pii.field_keys_changed()


def _raw_row(appeal: Appeal) -> str:
    """Every column of the appeal's row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Appeal._meta.db_table} WHERE id = %s", [appeal.pk])
        return repr(cursor.fetchone())


def test_the_id_number_is_never_stored_in_clear(desk):
    scene = scene_create(desk)
    raw = _raw_row(scene.appeal)
    assert CITIZEN_ID not in raw and CITIZEN_ID[-8:] not in raw
    assert scene.appeal.citizen_id_number == CITIZEN_ID


def test_rotating_the_field_key_keeps_every_value(desk, field_key):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    field_key(old)
    scene = scene_create(desk)
    token_before = Appeal.objects.get(pk=scene.appeal.pk).citizen_id_enc
    field_key(f"{new},{old}")  # the new key first: it encrypts, both decrypt
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "appeals.Appeal.citizen_id_enc: 1 rotated, 0 unreadable" in out.getvalue()
    token_after = Appeal.objects.get(pk=scene.appeal.pk).citizen_id_enc
    assert token_after != token_before
    field_key(new)  # the old key dropped
    assert Appeal.objects.get(pk=scene.appeal.pk).citizen_id_number == CITIZEN_ID
    assert Fernet(new.encode()).decrypt(token_after.encode()).decode() == CITIZEN_ID


def test_a_value_no_key_opens_is_reported_and_left_alone(desk, field_key):
    lost = Fernet.generate_key().decode()
    field_key(lost)
    scene = scene_create(desk)
    token = Appeal.objects.get(pk=scene.appeal.pk).citizen_id_enc
    field_key(Fernet.generate_key().decode())
    with pytest.raises(CommandError, match="无法"):
        call_command("rotate_field_keys", stdout=io.StringIO())
    assert Appeal.objects.get(pk=scene.appeal.pk).citizen_id_enc == token


def test_a_full_view_needs_the_permission_and_a_reason(desk):
    scene = scene_create(desk)
    plain = staff(desk.district.centre, "dispatcher", "no-pd")
    with pytest.raises(PermissionDenied):
        personal_data_reveal(user=plain, subject_type="appeal", subject_id=scene.appeal.pk, fields="phone", reason="看")
    from django.contrib.auth.models import Permission

    allowed = staff(desk.district.centre, "dispatcher", "pd")
    allowed.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    allowed = type(allowed).objects.get(pk=allowed.pk)
    with pytest.raises(ValidationFailed):
        personal_data_reveal(user=allowed, subject_type="appeal", subject_id=scene.appeal.pk, fields="phone", reason="")
    assert not PersonalDataAccess.objects.exists()
    personal_data_reveal(user=allowed, subject_type="appeal", subject_id=scene.appeal.pk, fields="phone", reason="回访")
    assert PersonalDataAccess.objects.get().reason == "回访"
