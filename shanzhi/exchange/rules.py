"""Pure rules of the exchange: signatures, what an appeal event sends where, back-off and giving up."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from shanzhi.notifications.rules import retry_delay, safe_error_note

SIGNATURE_HEADER = "X-Exchange-Signature"
WEBHOOK_SIGNATURE_HEADER = "X-Shanzhi-Signature"
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_BASE = dt.timedelta(seconds=30)
DEFAULT_RETRY_CAP = dt.timedelta(hours=1)
SENDING_LEASE = dt.timedelta(minutes=5)

# The events the city hears about (a status update), and those that carry the centre's result.
CITY_STATUS_EVENTS = frozenset(
    {
        "accepted",
        "dispatched",
        "signed",
        "feedback",
        "returned",
        "extended",
        "shelved",
        "unshelved",
        "redo",
        "info_requested",
        "info_supplied",
    }
)
CITY_RESULT_EVENTS = frozenset({"replied", "closed", "rejected", "answered", "merged"})
#: What a subscriber may subscribe to (the appeal events that change what a citizen or a partner sees).
WEBHOOK_EVENTS = frozenset(
    {"received", "accepted", "dispatched", "signed", "feedback", "replied", "closed", "rejected", "answered",
     "merged", "redo", "returned", "extended", "info_requested", "info_supplied", "followed_up", "supervised"}
)  # fmt: skip

__all__ = ["retry_delay", "safe_error_note"]


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())


def city_message_kind(event_kind: str) -> str | None:
    """ "result", "status", or None when the city is not told of this event."""
    if event_kind in CITY_RESULT_EVENTS:
        return "result"
    if event_kind in CITY_STATUS_EVENTS:
        return "status"
    return None


def gives_up(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts


def outcome_after_failure(
    *, attempts: int, max_attempts: int, permanent: bool, now: dt.datetime, base: dt.timedelta, cap: dt.timedelta
) -> tuple[str, dt.datetime | None]:
    """(state, next attempt) after a failed attempt number ``attempts``: retry with back-off, or dead."""
    if permanent or gives_up(attempts, max_attempts):
        return "dead", None
    return "pending", now + retry_delay(attempts, base=base, cap=cap)
