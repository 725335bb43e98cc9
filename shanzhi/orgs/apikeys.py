"""API keys for integrations: create (the clear key is shown once), authenticate, revoke.

Only the prefix (to find and name a key) and a SHA-256 hash of the whole key are stored. A key acts as its user,
so the user's roles and unit give it its rights and data scope.

Authentication is on the hot path of every API call, so a resolved key is kept in a small per-process cache for
:data:`CACHE_SECONDS`. Revoking a key drops it from this process's cache at once; other processes (other gunicorn
workers) stop accepting it when their entry expires, at most :data:`CACHE_SECONDS` later.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.audit import audit_record
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.orgs.api_scopes import ALL_SCOPES, clean_scopes
from shanzhi.orgs.models import ApiKey, User
from shanzhi.orgs.permissions import PERSONAL_DATA_PERMISSION

KEY_PREFIX = "sz_"
CACHE_SECONDS = 60.0
CACHE_MAX_ENTRIES = 2048
# last_used_at is written at most this often per key and process (a write per call would cost more than the call).
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
DEFAULT_RATE_LIMIT = 600
MAX_RATE_LIMIT = 100_000


def hash_key(clear_key: str) -> str:
    return hashlib.sha256(clear_key.encode()).hexdigest()


def _split(clear_key: str) -> str | None:
    """The stored prefix of a well-formed key (``sz_<8 hex>.<secret>``), else None."""
    prefix, dot, secret = clear_key.partition(".")
    if not dot or not secret or not prefix.startswith(KEY_PREFIX) or len(prefix) != len(KEY_PREFIX) + 8:
        return None
    return prefix


@transaction.atomic
def apikey_create(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    scopes: Iterable[str] | None = None,
    rate_limit_per_minute: int | None = None,
    actor: User | None = None,
) -> tuple[ApiKey, str]:
    """A new key for ``user``. Returns the row and the clear key, which is never stored and cannot be shown again.

    ``scopes`` None gives every scope of the registry (the command line's and the tests' default); the console
    asks for them one by one. ``rate_limit_per_minute`` None gives :data:`DEFAULT_RATE_LIMIT`.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写密钥名称"), code="name_required")
    try:
        granted = list(ALL_SCOPES) if scopes is None else clean_scopes(scopes)
    except ValueError as error:
        raise ValidationFailed(_("未知的授权范围：%(s)s") % {"s": error}, code="unknown_scope") from error
    if not granted:
        raise ValidationFailed(_("请至少选择一项授权范围"), code="scopes_required")
    limit = DEFAULT_RATE_LIMIT if rate_limit_per_minute is None else rate_limit_per_minute
    if not 1 <= limit <= MAX_RATE_LIMIT:
        raise ValidationFailed(
            _("每分钟请求上限须在 1 到 %(max)s 之间") % {"max": MAX_RATE_LIMIT}, code="invalid_rate_limit"
        )
    if not user.is_active:
        raise ValidationFailed(_("该用户已停用，不能创建接口密钥"), code="user_inactive")
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationFailed(_("有效期须晚于当前时间"), code="invalid_expiry")
    while True:
        prefix = KEY_PREFIX + secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    clear_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        name=name[:100],
        prefix=prefix,
        key_hash=hash_key(clear_key),
        user=user,
        expires_at=expires_at,
        scopes=granted,
        rate_limit_per_minute=limit,
    )
    audit_record(
        "apikey.create",
        actor=actor,
        subject_type="apikey",
        subject_id=prefix,
        detail={"user_id": user.pk, "scopes": granted, "rate_limit_per_minute": limit},
    )
    return api_key, clear_key


def apikey_revoke(*, api_key: ApiKey | str) -> ApiKey:
    """Deactivate a key (by row or prefix). It stops working in this process at once (see the module note)."""
    prefix = api_key.prefix if isinstance(api_key, ApiKey) else api_key
    row = ApiKey.objects.filter(prefix=prefix).first()
    if row is None:
        raise NotFound(_("找不到该接口密钥"), code="api_key_not_found")
    if row.is_active:
        row.is_active = False
        row.save(update_fields=["is_active"])
        audit_record("apikey.revoke", subject_type="apikey", subject_id=row.prefix, detail={"user_id": row.user_id})
    _cache.drop_key(row.pk)
    return row


# --- authentication -------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    key_id: int
    user: User
    key_expires_at: dt.datetime | None
    cached_until: float
    scopes: frozenset[str] = frozenset()
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT


@dataclass(frozen=True)
class ResolvedKey:
    """A valid key: the user it acts as (a per-call copy), its id, scopes and rate limit."""

    key_id: int
    user: User
    scopes: frozenset[str]
    rate_limit_per_minute: int

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class _KeyCache:
    """hash → resolved user, for a short time. Thread-safe (gunicorn gthread workers)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._entries: dict[str, _Entry] = {}

    def get(self, digest: str, now_mono: float) -> _Entry | None:
        entry = self._entries.get(digest)
        if entry is None or entry.cached_until < now_mono:
            return None
        return entry

    def put(self, digest: str, entry: _Entry) -> None:
        with self._lock:
            if len(self._entries) >= CACHE_MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = entry

    def drop_key(self, key_id: int) -> None:
        with self._lock:
            for digest in [d for d, e in self._entries.items() if e.key_id == key_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _KeyCache()


def apikey_cache_clear() -> None:
    """Forget every cached key (tests; after bulk changes to users or roles)."""
    _cache.clear()


def _load(digest: str, prefix: str) -> _Entry | None:
    row = (
        ApiKey.objects.select_related("user", "user__unit")
        .filter(prefix=prefix, is_active=True, user__is_active=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    user = row.user
    # Warm what every request asks of the user, so that the cached copy answers without queries.
    _ = user.role_codes
    _ = user.has_perm(PERSONAL_DATA_PERMISSION)
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
    return _Entry(
        row.pk,
        user,
        row.expires_at,
        time.monotonic() + CACHE_SECONDS,
        frozenset(row.scopes or ()),
        row.rate_limit_per_minute,
    )


def apikey_authenticate(clear_key: str | None) -> User | None:
    """The user a clear key acts as, or None (unknown, malformed, revoked or expired key; inactive user).

    Returns a per-call copy of the cached user, so a request can never change what the next one sees.
    """
    resolved = apikey_resolve(clear_key)
    return resolved.user if resolved is not None else None


def apikey_resolve(clear_key: str | None) -> ResolvedKey | None:
    """Like :func:`apikey_authenticate`, with the key's id, scopes and rate limit (for the API's checks)."""
    if not clear_key:
        return None
    clear_key = clear_key.strip()
    prefix = _split(clear_key)
    if prefix is None:
        return None
    digest = hash_key(clear_key)
    entry = _cache.get(digest, time.monotonic())
    if entry is None:
        entry = _load(digest, prefix)
        if entry is None:
            return None
        _cache.put(digest, entry)
    if entry.key_expires_at is not None and entry.key_expires_at <= clock.now():
        return None
    return ResolvedKey(entry.key_id, copy.copy(entry.user), entry.scopes, entry.rate_limit_per_minute)
