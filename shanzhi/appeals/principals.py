"""Who acts on an appeal when no staff member does: the citizen, or one of the platform's own processes.

A staff member acts as their :class:`~shanzhi.orgs.models.User` and is checked by their roles. Everyone else is a
named :class:`Principal` whose code the rules table (:mod:`shanzhi.appeals.rules`) lists among the roles of the
actions it may take, so the guards check them the same way. No action runs without an actor: ``None`` is refused
(it used to skip the role check).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shanzhi.orgs.models import User


@dataclass(frozen=True)
class Principal:
    """A non-staff actor, named by a stable code (``citizen``, ``system:<process>``)."""

    code: str
    label: str

    @property
    def role_codes(self) -> frozenset[str]:
        """A principal holds exactly its own code (what the rules table names)."""
        return frozenset({self.code})

    @property
    def unit_id(self) -> None:
        return None

    def __str__(self) -> str:
        return self.label


#: The citizen through the portal, an SMS reply or a doorplate (whose identity the caller has checked).
CITIZEN = Principal("citizen", "市民")
#: The periodic deadline sweep (warnings, automatic supervision orders).
SYSTEM_SWEEP = Principal("system:sweep", "系统时限巡检")
#: IoT alarms turned into work orders.
SYSTEM_IOT = Principal("system:iot", "物联感知")
#: The city 12345 platform's exchange.
SYSTEM_EXCHANGE = Principal("system:exchange", "12345交换")
#: A grid worker's failed on-site verification sends the appeal back (the worker is no dispatcher).
SYSTEM_GRID_VERIFICATION = Principal("system:grid_verification", "网格核查")
#: Proactive governance: hotspot detection and duplicate proposals.
SYSTEM_PROACTIVE = Principal("system:proactive", "主动治理")

PRINCIPALS: dict[str, Principal] = {
    p.code: p for p in (CITIZEN, SYSTEM_SWEEP, SYSTEM_IOT, SYSTEM_EXCHANGE, SYSTEM_GRID_VERIFICATION, SYSTEM_PROACTIVE)
}

#: Whoever may act: a staff member or a named principal.
Actor = User | Principal


def staff_of(actor: Any) -> User | None:
    """The staff user behind ``actor`` (for foreign keys such as ``dispatched_by``), None for a principal."""
    return actor if isinstance(actor, User) else None


def principal_code(actor: Any) -> str:
    """The principal's code for the event log, "" for a staff member."""
    return actor.code if isinstance(actor, Principal) else ""
