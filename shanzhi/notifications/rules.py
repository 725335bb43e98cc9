"""Pure rules of the outbox: who gets told, how long to wait before retrying, and what goes into an error note."""

from __future__ import annotations

import datetime as dt
import re

from shanzhi.core import pii
from shanzhi.notifications.models import NotificationChannel, NotificationEvent

# Sent even when the citizen asked for no reply: the tracking number, and a request without which handling stops.
ESSENTIAL_EVENTS = frozenset({NotificationEvent.RECEIVED, NotificationEvent.NEEDS_INFO})

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_RETRY_BASE = dt.timedelta(minutes=1)
DEFAULT_RETRY_CAP = dt.timedelta(hours=1)
# How long a worker may hold a message in ``sending`` before another worker takes it over.
SENDING_LEASE = dt.timedelta(minutes=10)


def skip_reason(*, phone: str, wants_reply: bool, event: str, channel: str) -> str | None:
    """Why nothing is sent for this event (a short code), or None when the citizen is to be told."""
    if not phone:
        return "no_phone"
    if not wants_reply and event not in ESSENTIAL_EVENTS:
        return "no_reply_wanted"
    if channel == NotificationChannel.SMS and not pii.MOBILE_RE.match(phone):
        return "not_a_mobile"  # landlines and service numbers cannot receive SMS
    return None


_CODE_RE = re.compile(r"\d{4,8}")


def secret_redacted(body: str) -> str:
    """A one-time code's text with the code blanked: what is kept once it has been delivered (or given up), and
    all that the admin ever shows of it."""
    return _CODE_RE.sub(lambda m: "*" * len(m.group(0)), body)


def retry_delay(
    attempts: int, *, base: dt.timedelta = DEFAULT_RETRY_BASE, cap: dt.timedelta = DEFAULT_RETRY_CAP
) -> dt.timedelta:
    """Exponential back-off after the ``attempts``-th failed attempt: base, 2·base, 4·base … capped."""
    exponent = max(0, attempts - 1)
    if exponent >= 30:  # avoid huge integers; the cap has long been reached
        return cap
    return min(base * (2**exponent), cap)


def gives_up(attempts: int, max_attempts: int) -> bool:
    """True when a message that has failed ``attempts`` times is not to be tried again."""
    return attempts >= max_attempts


_DIGIT_RUN = re.compile(r"\d{7,}")


def safe_error_note(code: str, detail: str = "") -> str:
    """An error note for ``last_error`` and logs: long digit runs (phone, ID numbers) are blotted out."""
    text = f"{code}: {detail}" if detail else code
    text = _DIGIT_RUN.sub("***", " ".join(text.split()))
    return text[:300]
