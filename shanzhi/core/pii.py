"""Personal data: validation, masking for display, and encryption at rest.

Nothing here logs. Masked forms are what every list and page shows unless the viewer holds the personal-data
permission; a full view goes through the orgs app's ``personal_data_reveal``, which checks it and logs the view.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: optional area code 0 + 2-3 digits, 7-8 digit number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
SERVICE_RE = re.compile(r"^(95\d{3,4}|96\d{3,4}|400\d{7}|800\d{7}|12\d{3})$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes in mobiles, a +86/0086 prefix and full-width digits."""
    text = raw.strip().translate(str.maketrans("０１２３４５６７８９－＋", "0123456789-+"))
    text = re.sub(r"[\s()]", "", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if MOBILE_RE.match(text.replace("-", "")):
        return text.replace("-", "")
    return text


def phone_is_valid(phone: str) -> bool:
    """A mainland mobile, landline or service number (after :func:`normalize_phone`)."""
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone) or SERVICE_RE.match(phone))


def citizen_phone_is_valid(phone: str) -> bool:
    """A number a person can be called back on: a mainland mobile or a landline (after :func:`normalize_phone`).
    Service numbers (12345, 95xxx, 400…) are numbers people call, never a citizen's own: the same rule on every
    channel (console, API, batch, doorplate, household register)."""
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))


def id_number_is_valid(value: str) -> bool:
    """GB 11643-1999 citizen identity number: 18 characters, valid birth date, correct check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    import datetime as dt

    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def mask_phone(phone: str) -> str:
    """138****1234; landlines keep the area code and the last 2 digits."""
    if not phone:
        return ""
    if MOBILE_RE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[: min(4, len(phone) - 4)] + "*" * (len(phone) - min(4, len(phone) - 4) - 2) + phone[-2:]


def mask_name(name: str) -> str:
    """张* / 张*明: keep the family name (and the last character of long names)."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str) -> str:
    """150302********1234."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_address(address: str) -> str:
    """Keep the area, hide the house number: everything after the first digit run becomes ***."""
    if not address:
        return ""
    match = re.search(r"\d", address)
    if not match:
        return address[: max(2, len(address) // 2)] + "***"
    return address[: match.start()] + "***"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    """``SHANZHI_FIELD_KEY`` holds one Fernet key, or several separated by commas: the first encrypts, every one
    decrypts (key rotation: put the new key first, run ``shanzhi rotate_field_keys``, then drop the old one)."""
    configured = str(settings.SHANZHI.get("FIELD_KEY") or "")
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(("shanzhi-field-key:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def field_keys_changed() -> None:
    """Forget the keys read from the settings (after the settings changed, in tests and key rotation)."""
    _fernet.cache_clear()


def encrypt(value: str) -> str:
    """Encrypt a short personal value for storage (Fernet: AES-128-CBC + HMAC-SHA256) under the current key."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The clear value of :func:`encrypt` under any configured key; empty if no key opens it or it is damaged."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def reencrypt(token: str) -> str | None:
    """``token`` encrypted anew under the current key; None if no configured key opens it (left as it is)."""
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        return None


def blind_index(value: str) -> str:
    """A keyed hash for exact-match lookups of an encrypted value (e.g. find appeals by ID number)."""
    if not value:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), value.strip().upper().encode(), hashlib.sha256).hexdigest()[:32]
