"""The audit chain (ADR 0024): what writes to it, and that an edited, deleted, inserted or truncated row is found."""

from __future__ import annotations

import io
import itertools
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from shanzhi.core.audit import GENESIS, AuditEntry, audit_record, audit_verify, entry_hash
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create

from .conftest import CITIZEN_ID, CITIZEN_NAME, CITIZEN_PHONE, scene_create, staff

pytestmark = pytest.mark.django_db


def _chain(n: int = 5) -> list[AuditEntry]:
    return [audit_record("test.step", subject_type="test", subject_id=i, detail={"i": i}) for i in range(n)]


def _tamper(sql: str, params: list) -> None:  # type: ignore[type-arg]
    """What someone with the database in hand does: bypass the model (and, on PostgreSQL, the trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


def test_the_chain_links_each_row_to_the_one_before():
    rows = _chain(4)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    stored = AuditEntry.objects.get(seq=3)
    assert entry_hash(stored.prev_hash, stored.content()) == stored.hash
    verdict = audit_verify()
    assert verdict.ok and verdict.rows == 4 and verdict.head_hash == rows[-1].hash


def test_an_edited_row_is_detected():
    _chain(5)
    assert audit_verify().ok
    _tamper("UPDATE core_auditentry SET detail = %s WHERE seq = 3", [json.dumps({"i": 99})])
    verdict = audit_verify()
    assert not verdict.ok
    assert [(b.seq, "edited" in b.problem) for b in verdict.breaks] == [(3, True)]


def test_an_edited_row_with_its_hash_recomputed_without_the_key_is_detected():
    """Recomputing the row's hash with plain SHA-256 (no key) does not help: the next row no longer follows, and
    the row itself does not match under the key."""
    import hashlib

    _chain(5)
    row = AuditEntry.objects.get(seq=3)
    content = {**row.content(), "actor": "nobody"}
    forged = hashlib.sha256((row.prev_hash + json.dumps(content, sort_keys=True)).encode()).hexdigest()
    _tamper("UPDATE core_auditentry SET actor = %s, hash = %s WHERE seq = 3", ["nobody", forged])
    problems = {(b.seq, b.problem.split(" (")[0]) for b in audit_verify().breaks}
    assert (3, "its content does not match its hash") in problems
    assert (4, "does not follow the row before it") in problems


def test_a_deleted_row_is_detected():
    _chain(5)
    _tamper("DELETE FROM core_auditentry WHERE seq = 2", [])
    verdict = audit_verify()
    assert not verdict.ok
    assert {b.seq for b in verdict.breaks} == {2, 3}  # the gap, and row 3 that no longer follows


def test_a_truncated_tail_is_found_by_the_anchor(tmp_path):
    anchors = tmp_path / "anchors.txt"
    _chain(5)
    call_command("audit_verify", "--anchor", str(anchors), stdout=io.StringIO())
    assert anchors.read_text().split()[0] == "5"
    _tamper("DELETE FROM core_auditentry WHERE seq >= 4", [])
    assert audit_verify().ok  # the shorter chain is consistent in itself …
    err = io.StringIO()
    with pytest.raises(CommandError, match="篡改"):
        call_command("audit_verify", "--anchor", str(anchors), stderr=err)
    assert "anchor" in err.getvalue()  # … but the head recorded earlier is gone


def test_the_command_says_ok_and_fails_on_a_break():
    _chain(3)
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("ok: 3 rows")
    _tamper("UPDATE core_auditentry SET action = %s WHERE seq = 1", ["test.other"])
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=err)
    assert "#1" in err.getvalue()


def test_the_model_refuses_updates_and_deletes():
    row = _chain(1)[0]
    row.action = "other"
    with pytest.raises(ValueError, match="append-only"):
        row.save()
    with pytest.raises(ValueError, match="append-only"):
        row.delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_and_delete_at_the_database():
    _chain(2)
    for sql in ("UPDATE core_auditentry SET action = 'x' WHERE seq = 1", "DELETE FROM core_auditentry WHERE seq = 2"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert audit_verify().ok


def test_a_full_view_in_the_console_is_chained_without_the_values(desk, login):
    scene = scene_create(desk)
    viewer = staff(desk.district.centre, "dispatcher", "pd-viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    before = AuditEntry.objects.count()
    response = login(viewer).post(reverse("console:reveal", args=[scene.appeal.pk]), {"reason": "回访核实"})
    assert response.status_code == 200 and CITIZEN_PHONE in response.content.decode()
    access = PersonalDataAccess.objects.get(subject_id=scene.appeal.tracking_no)
    entry = AuditEntry.objects.filter(action="personal_data.view").get()
    assert (entry.actor_id, entry.subject_id, entry.detail["access_id"]) == (viewer.pk, access.subject_id, access.pk)
    assert entry.detail["reason"] == "回访核实"
    assert AuditEntry.objects.count() > before and audit_verify().ok
    stored = json.dumps([e.content() for e in AuditEntry.objects.all()], ensure_ascii=False)
    for value in (CITIZEN_PHONE, CITIZEN_ID, CITIZEN_NAME):
        assert value not in stored


def test_full_views_through_the_api_are_chained_one_per_appeal(desk):
    apikey_cache_clear()
    scene = scene_create(desk)
    user = staff(desk.district.centre, "integration", "int-pd")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    _, key = apikey_create(user=user, name="审计")
    response = Client(headers={"X-Api-Key": key}).get(f"/api/v1/appeals/{scene.appeal.tracking_no}")
    assert response.status_code == 200 and response.json()["citizen_phone"] == CITIZEN_PHONE
    entries = AuditEntry.objects.filter(action="personal_data.view", actor_id=user.pk)
    assert [e.subject_id for e in entries] == [scene.appeal.tracking_no]
    assert audit_verify().ok


def test_sign_ins_failures_role_changes_and_admin_changes_are_chained(desk):
    user = staff(desk.district.centre, "admin", "root-like")
    user.set_password("pass-1234-word")
    user.save()
    client = Client()
    sign_in = reverse("console:login")
    assert client.post(sign_in, {"username": "root-like", "password": "wrong"}).status_code == 200
    assert client.post(sign_in, {"username": "my-Secret-pw1", "password": "x"}).status_code == 200
    assert client.post(sign_in, {"username": "root-like", "password": "pass-1234-word"}).status_code == 302
    user.groups.add(Group.objects.get_or_create(name="leader")[0])
    unit = desk.district.town_a
    response = client.post(
        reverse("admin:orgs_unit_change", args=[unit.pk]),
        {
            "code": unit.code,
            "name": "凤凰岭街道（改）",
            "kind": unit.kind,
            "parent": unit.parent_id,
            "is_active": "on",
            "sort": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert "auth.login_failed" in actions and "auth.login" in actions
    assert "user.roles_add" in actions
    failed = AuditEntry.objects.filter(action="auth.login_failed").order_by("seq")
    assert failed[0].detail == {"username": "root-like"}
    assert set(failed[1].detail) == {"unknown_username_sha256"}  # a password typed as the name is not kept
    assert "my-Secret-pw1" not in json.dumps([e.content() for e in AuditEntry.objects.all()])
    roles = AuditEntry.objects.filter(action="user.roles_add", subject_id=str(user.pk)).order_by("seq").last()
    assert roles is not None and roles.detail == {"roles": ["leader"]}
    change = AuditEntry.objects.get(action="admin.change")
    assert change.subject_type == "orgs.unit" and change.detail["fields"] == ["名称"]  # the label, not the value
    assert "凤凰岭" not in json.dumps(change.detail, ensure_ascii=False)
    assert audit_verify().ok


def test_the_admin_shows_the_chain_read_only_and_verifies_it(desk):
    user = staff(desk.district.centre, "admin", "auditor")
    _chain(3)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("admin:core_auditentry_verify"), follow=True)
    assert page.status_code == 200
    assert "哈希链完整" in page.content.decode()
    row = AuditEntry.objects.get(seq=2)
    assert client.post(reverse("admin:core_auditentry_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=row.pk).exists()
    _tamper("UPDATE core_auditentry SET subject_id = %s WHERE seq = 2", ["9"])
    page = client.get(reverse("admin:core_auditentry_verify"), follow=True)
    assert "哈希链断裂" in page.content.decode()


def test_api_keys_created_and_revoked_are_chained(desk):
    from shanzhi.orgs.apikeys import apikey_revoke

    user = staff(desk.district.centre, "integration", "int-chain")
    api_key, clear = apikey_create(user=user, name="审计")
    apikey_revoke(api_key=api_key)
    rows = AuditEntry.objects.filter(subject_type="apikey").order_by("seq")
    assert [(r.action, r.subject_id) for r in rows] == [
        ("apikey.create", api_key.prefix),
        ("apikey.revoke", api_key.prefix),
    ]
    assert clear not in json.dumps([r.content() for r in AuditEntry.objects.all()])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Four connections append at once: the unique prev_hash refuses the losers, who retry on the new head."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record("test.concurrent", subject_type="writer", subject_id=f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = audit_verify()
    assert verdict.ok and verdict.rows == 40
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 41))
