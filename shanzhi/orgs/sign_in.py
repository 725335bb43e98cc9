"""Staff sign-in rules beyond the password: demo accounts never sign in to a production centre.

The demo loader (``shanzhi demo``) gives its accounts the shared password :data:`DEMO_PASSWORD`; it refuses to run
under ``SHANZHI_ENV=production``, but a database copied from a trial could still carry them. In production such an
account is refused at sign-in (:class:`StaffBackend`) and ``check --deploy`` fails while one exists
(:func:`check_no_demo_accounts`, registered in the orgs app). Brute force is django-axes' (settings ``AXES_*``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.core import checks

DEMO_PASSWORD = "shanzhi-demo"


def is_production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


def has_demo_password(user: Any) -> bool:
    return bool(user.password) and check_password(DEMO_PASSWORD, user.password)


class StaffBackend(ModelBackend):
    """Django's model backend; under ``SHANZHI_ENV=production`` an account with the demo password cannot sign in."""

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not (is_production() and has_demo_password(user))


def demo_accounts() -> list[str]:
    """Usernames of active accounts that sign in with the demo password. The demo's accounts share one hash, so
    only hashes held by several accounts, and superusers', are tried (one hash check each, not one per user)."""
    from shanzhi.orgs.models import User

    active = User.objects.filter(is_active=True).exclude(password="")
    shared = Counter(active.values_list("password", flat=True))
    suspects = {h for h, n in shared.items() if n > 1} | set(
        active.filter(is_superuser=True).values_list("password", flat=True)
    )
    demo_hashes = {h for h in suspects if check_password(DEMO_PASSWORD, h)}
    return sorted(active.filter(password__in=demo_hashes).values_list("username", flat=True))


def check_no_demo_accounts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``check --deploy``: fails while an account with the demo password exists."""
    from django.db import DatabaseError

    try:
        found = demo_accounts()
    except DatabaseError:  # no tables yet (before migrate): nothing to check
        return []
    if not found:
        return []
    return [
        checks.Error(
            f"{len(found)} demo account(s) can sign in with the demo password: {', '.join(found[:10])}",
            hint="Deactivate them or set real passwords (shanzhi changepassword USER) before going live.",
            id="shanzhi.E001",
        )
    ]
