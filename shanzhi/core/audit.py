"""The audit chain: an append-only log of the actions that matter to security, each row chained to the one before
by a keyed hash, so that an edited, deleted, inserted or reordered row is found by :func:`audit_verify`
(``shanzhi audit_verify``). ADR 0024.

Every row stores ``seq`` (1, 2, 3, … without gaps), ``prev_hash`` (the hash of row ``seq - 1``; sixty-four zeros for
the first) and ``hash`` = HMAC-SHA256(key, prev_hash ‖ canonical JSON of the row's content). The key is
``SHANZHI["AUDIT_KEY"]`` (or derived from ``SECRET_KEY``): someone who can write to the database but does not hold
the key cannot rebuild a consistent chain after changing a row. ``prev_hash`` and ``seq`` are unique, so two
writers that read the same head cannot both append after it: the second retries on the new head. Truncating the
tail leaves a consistent shorter chain; the anchors (``audit_verify --anchor FILE``, heads recorded outside the
database) find that.

What is written (never personal data itself — ids, field names, the typed reason):
- every full view or export of personal data (each :class:`~shanzhi.core.models.PersonalDataAccess` row, whichever
  app writes it);
- sign-ins, failed sign-ins and sign-outs of staff;
- the admin's additions, changes and deletions (Django's ``LogEntry``);
- changes of a user's roles and permissions; API keys created and revoked (``audit_record`` from the orgs app).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from shanzhi.core import clock

GENESIS = "0" * 64
MAX_RETRIES = 20
#: PostgreSQL advisory lock that queues appenders (held to the end of the appending transaction): a writer reads
#: the head only once the previous one has committed, so the unique ``prev_hash`` is a guard, not the traffic light.
#: (Optimistic retries alone starved under load: four writers, twenty attempts, one gave up.)
APPEND_LOCK = 0x5A6F_6175_6469_7401


class AuditEntry(models.Model):
    """One audited action. Append-only: the model refuses updates and deletes; on PostgreSQL a trigger does too."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    subject_type = models.CharField("对象类型", max_length=60, blank=True)
    subject_id = models.CharField("对象编号", max_length=64, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        app_label = "core"
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["-seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries are append-only")

    def content(self) -> dict[str, Any]:
        """What the hash covers (everything but the hashes themselves)."""
        return {
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(),  # as stored, whatever zone it was made in
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "detail": self.detail,
            "ip_address": self.ip_address,
        }


def _key() -> bytes:
    key = getattr(settings, "SHANZHI", {}).get("AUDIT_KEY") or ""
    if not key:
        return hashlib.sha256(("shanzhi-audit-key:" + settings.SECRET_KEY).encode()).digest()
    return key.encode() if isinstance(key, str) else bytes(key)


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """HMAC-SHA256 over the previous hash and the canonical JSON of the content (sorted keys, no spaces)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(_key(), (prev_hash + canonical).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Record:
    """An action to append (what :func:`audit_record_many` takes)."""

    action: str
    actor: Any = None  # a user (anything with pk and get_username) or None for the system
    subject_type: str = ""
    subject_id: str | int = ""
    detail: dict[str, Any] | None = None
    ip_address: str | None = None


def audit_record(
    action: str,
    *,
    actor: Any = None,
    subject_type: str = "",
    subject_id: str | int = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain (inside the caller's transaction: it is kept only if the action is)."""
    return audit_record_many([Record(action, actor, subject_type, subject_id, detail, ip_address)])[0]


def audit_record_many(records: Iterable[Record]) -> list[AuditEntry]:
    """Append entries in order. Two writers on the same head: the unique ``prev_hash`` refuses the second, which
    reads the new head and tries again."""
    records = list(records)
    if not records:
        return []
    for _attempt in range(MAX_RETRIES):
        try:
            with transaction.atomic():
                return _append(records)
        except IntegrityError:
            continue
    raise RuntimeError("audit chain: could not append after several attempts")


def _append(records: list[Record]) -> list[AuditEntry]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK])
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head is not None else (0, GENESIS)
    at = clock.now()
    written = []
    for record in records:
        seq += 1
        actor = record.actor
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_id=getattr(actor, "pk", None),
            actor=actor.get_username() if actor is not None and hasattr(actor, "get_username") else "",
            action=record.action[:60],
            subject_type=record.subject_type[:60],
            subject_id=str(record.subject_id)[:64],
            detail=record.detail or {},
            ip_address=record.ip_address or None,
            prev_hash=prev,
        )
        entry.hash = entry_hash(prev, entry.content())
        entry.save()
        prev = entry.hash
        written.append(entry)
    return written


# --- verification --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str


@dataclass(frozen=True)
class Verdict:
    rows: int
    head_seq: int
    head_hash: str
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def audit_verify(*, anchors: Iterable[tuple[int, str]] = ()) -> Verdict:
    """Walk the chain from the first row: each row's hash must be recomputed from its content, its ``prev_hash``
    must be the previous row's hash and its ``seq`` the next number. ``anchors`` ((seq, hash) recorded earlier,
    outside the database) must still be in the chain — a truncated tail or a rebuilt chain misses them."""
    breaks: list[Break] = []
    expected_seq, prev, rows = 1, GENESIS, 0
    hashes: dict[int, str] = {}
    for entry in _rows():
        rows += 1
        if entry.seq != expected_seq:
            breaks.append(Break(expected_seq, f"rows {expected_seq}–{entry.seq - 1} are missing"))
        if entry.prev_hash != prev:
            breaks.append(Break(entry.seq, "does not follow the row before it (a row deleted, inserted or moved)"))
        if entry_hash(entry.prev_hash, entry.content()) != entry.hash:
            breaks.append(Break(entry.seq, "its content does not match its hash (the row was edited)"))
        prev, expected_seq = entry.hash, entry.seq + 1
        hashes[entry.seq] = entry.hash
    for seq, digest in anchors:
        if hashes.get(seq) != digest:
            breaks.append(Break(seq, "an anchor recorded earlier is no longer in the chain (truncated or rebuilt)"))
    return Verdict(rows=rows, head_seq=expected_seq - 1, head_hash=prev, breaks=breaks)


# --- what is written without anyone calling audit_record ---------------------------------------------------------


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    from shanzhi.core.http import client_ip

    return client_ip(request) or None


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record("auth.login", actor=user, subject_type="user", subject_id=user.pk, ip_address=_client_ip(request))


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record("auth.logout", actor=user, subject_type="user", subject_id=user.pk, ip_address=_client_ip(request))


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """The account tried, if it exists; otherwise only a digest: what people type into the name field by mistake
    is often their password, and this log keeps everything for ever."""
    from django.contrib.auth import get_user_model

    username = str(credentials.get("username", ""))[:150]
    if get_user_model()._default_manager.filter(username=username).exists():
        detail = {"username": username}
    else:
        detail = {"unknown_username_sha256": hashlib.sha256(username.encode()).hexdigest()[:16]}
    audit_record("auth.login_failed", detail=detail, ip_address=_client_ip(request))


def _on_admin_log(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Django admin's own log row (LogEntry): which object of which model, added/changed/deleted, which fields."""
    if not created:
        return
    flag = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
    content_type = instance.content_type
    audit_record(
        f"admin.{flag}",
        actor=instance.user,
        subject_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        subject_id=instance.object_id or "",
        detail={"fields": _changed_fields(instance.change_message)},
    )


def _changed_fields(message: str) -> list[str]:
    """Field names from the admin's change message (its values are not kept: they may be personal data)."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return []
    fields: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        for body in part.values() if isinstance(part, dict) else []:
            if isinstance(body, dict):
                fields.extend(str(f) for f in body.get("fields", []))
    return fields


def _on_membership(sender: Any, instance: Any, action: str, pk_set: set[int] | None, model: Any, **kw: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    kind = "roles" if model._meta.model_name == "group" else "permissions"
    names: list[str] = []
    if pk_set:
        field = "name" if kind == "roles" else "codename"
        names = sorted(str(n) for n in model.objects.filter(pk__in=pk_set).values_list(field, flat=True))
    audit_record(
        f"user.{kind}_{action.removeprefix('post_')}",
        subject_type="user",
        subject_id=getattr(instance, "pk", ""),
        detail={kind: names},
    )


def connect() -> None:
    """Hook the chain to sign-in, the admin's log and role changes (called from the core app's ``ready``)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_save

    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    if apps.is_installed("django.contrib.admin"):
        post_save.connect(_on_admin_log, sender=apps.get_model("admin", "LogEntry"), dispatch_uid="audit_admin")
    user_model = get_user_model()
    m2m_changed.connect(_on_membership, sender=user_model.groups.through, dispatch_uid="audit_roles")
    m2m_changed.connect(_on_membership, sender=user_model.user_permissions.through, dispatch_uid="audit_perms")
