"""Rotating the key that encrypts the hub's ID and phone numbers (ADR 0017)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.db import models, transaction

from shanzhi.core import pii
from shanzhi.datahub.models import Enterprise, Person

BATCH = 5000


def _current() -> MultiFernet:
    return pii._fernet()  # the key core.pii encrypts with (SHANZHI_FIELD_KEY)


def rotate_field_key(*, old_key: str) -> dict[str, int]:
    """Re-encrypt under the current key every value that only ``old_key`` opens; returns the rows changed."""
    old = Fernet(old_key.encode())
    new = _current()
    counts = {}
    for model, fields in ((Person, ("id_cipher", "phone_cipher")), (Enterprise, ("phone_cipher",))):
        counts[model._meta.label] = _rotate(model, fields, old, new)
    return counts


def _rotate(model: type[models.Model], fields: tuple[str, ...], old: Fernet, new: Fernet | MultiFernet) -> int:
    changed = 0
    last = 0
    while True:
        rows = list(model._default_manager.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not rows:
            return changed
        last = rows[-1].pk
        dirty = []
        for row in rows:
            touched = False
            for name in fields:
                token = getattr(row, name)
                if not token:
                    continue
                try:
                    new.decrypt(token.encode())
                    continue
                except InvalidToken:
                    pass
                try:
                    clear = old.decrypt(token.encode())
                except InvalidToken:
                    continue  # neither key opens it: left for an operator to look at
                setattr(row, name, new.encrypt(clear).decode())
                touched = True
            if touched:
                dirty.append(row)
        if dirty:
            with transaction.atomic():
                model._default_manager.bulk_update(dirty, list(fields))
            changed += len(dirty)
