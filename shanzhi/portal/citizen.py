"""Who the visitor is to the portal, kept in Django's session (no user accounts for citizens).

- ``citizen_phone``: the mobile number verified by a one-time code (:mod:`shanzhi.portal.signin`);
- ``portal_tickets``: ids of anonymous appeals opened with tracking number + query code in this session;
- ``portal_new_ticket``: the query code just issued for an anonymous submission, shown on the result page.

The session key is cycled at sign-in (no fixation) and flushed at sign-out. Sessions live in the database like
the console's (``SESSION_COOKIE_AGE``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

from shanzhi.core import pii
from shanzhi.core.http import client_ip
from shanzhi.core.ids import as_id
from shanzhi.portal import rules

PHONE_KEY = "citizen_phone"
TICKETS_KEY = "portal_tickets"
NEW_TICKET_KEY = "portal_new_ticket"
MAX_TICKETS = 20


@dataclass(frozen=True)
class Citizen:
    phone: str = ""
    ticket_appeal_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return bool(self.phone)

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone)

    @property
    def owner_hash(self) -> str:
        """Whose submission this is (for the idempotency record): the phone, or anonymous."""
        return rules.digest("phone", self.phone) if self.phone else "anonymous"


def citizen_of(request: HttpRequest) -> Citizen:
    session = request.session
    phone = session.get(PHONE_KEY) or ""
    tickets = frozenset(int(i) for i in session.get(TICKETS_KEY, []) if as_id(str(i)) is not None)
    return Citizen(phone=phone, ticket_appeal_ids=tickets)


def sign_in(request: HttpRequest, phone: str) -> None:
    request.session.cycle_key()
    request.session[PHONE_KEY] = phone


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


def remember_ticket(request: HttpRequest, appeal_id: int) -> None:
    tickets = [i for i in request.session.get(TICKETS_KEY, []) if i != appeal_id]
    request.session[TICKETS_KEY] = [*tickets, appeal_id][-MAX_TICKETS:]


def ip_digest(request: HttpRequest) -> str:
    return rules.digest("ip", client_ip(request) or "unknown")
