"""Pure rules of the portal: codes and their hashes, limits, windows. No ORM; time is passed in."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

CODE_LENGTH = 6
CODE_TTL = dt.timedelta(minutes=5)
MAX_WRONG_CODES = 5
LOCK_DURATION = dt.timedelta(minutes=15)
TICKET_CODE_LENGTH = 8
# No 0/O, 1/I/L: the query code is read off a screen and typed on a phone.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_PHOTOS = 6
DEFAULT_REOPEN_DAYS = 15


@dataclass(frozen=True)
class Limit:
    """At most ``count`` actions per ``window`` (sliding)."""

    count: int
    window: dt.timedelta


# Defaults; ``settings.SHANZHI_PORTAL_LIMITS`` may override any of them as {"name": (count, seconds)}.
DEFAULT_LIMITS: dict[str, Limit] = {
    # Code requests: one a minute and 5 an hour per phone; 20 an hour per IP address.
    "otp_phone_minute": Limit(1, dt.timedelta(minutes=1)),
    "otp_phone_hour": Limit(5, dt.timedelta(hours=1)),
    "otp_ip_hour": Limit(20, dt.timedelta(hours=1)),
    # Code checks per IP (guessing codes for many phones from one place).
    "verify_ip": Limit(30, dt.timedelta(minutes=15)),
    # Tracking-number + code look-ups per IP.
    "track_ip": Limit(10, dt.timedelta(minutes=15)),
    # Appeals submitted: per verified phone and per IP address.
    "submit_phone_hour": Limit(5, dt.timedelta(hours=1)),
    "submit_phone_day": Limit(20, dt.timedelta(days=1)),
    "submit_ip_hour": Limit(10, dt.timedelta(hours=1)),
}


def limit_from(overrides: dict | None, name: str) -> Limit:
    value = (overrides or {}).get(name)
    if value is None:
        return DEFAULT_LIMITS[name]
    count, seconds = value
    return Limit(int(count), dt.timedelta(seconds=float(seconds)))


def digest(purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 with the SECRET_KEY) of a phone, IP address or code: stored instead of the value."""
    return salted_hmac(f"shanzhi.portal.{purpose}", value, algorithm="sha256").hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_sign_in_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_CODE_LENGTH))


def normalize_ticket_code(raw: str) -> str:
    return "".join((raw or "").split()).upper().replace("-", "")


def code_hash(*, phone: str, code: str) -> str:
    return digest("otp", f"{phone}:{code}")


def is_expired(*, expires_at: dt.datetime, now: dt.datetime) -> bool:
    return now >= expires_at


def locked_until(*, lock_started: dt.datetime | None) -> dt.datetime | None:
    return lock_started + LOCK_DURATION if lock_started else None


def reopen_deadline(*, replied_at: dt.datetime | None, days: int) -> dt.datetime | None:
    """Until when a citizen who is not satisfied may have the appeal handled again (counted from the reply)."""
    if replied_at is None:
        return None
    return replied_at + dt.timedelta(days=days)


def within_reopen_window(*, replied_at: dt.datetime | None, days: int, now: dt.datetime) -> bool:
    deadline = reopen_deadline(replied_at=replied_at, days=days)
    return deadline is not None and now <= deadline
