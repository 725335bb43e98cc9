"""疑似重复来电 at intake: the open appeals that the call the operator is typing probably repeats, before it is
registered — by the same rule as the duplicate proposer (:mod:`shanzhi.proactive.duplicates`), within the
operator's scope."""

from __future__ import annotations

from dataclasses import dataclass

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock, pii
from shanzhi.orgs.models import Unit, User
from shanzhi.proactive.duplicates import (
    MERGEABLE_STATES,
    AppealFacts,
    DuplicateSettings,
    address_bigrams,
    bigrams,
    candidates_query,
    rank,
)

MAX_SHOWN = 3
MIN_TEXT = 6  # characters of title + content before the text is compared at all


@dataclass(frozen=True)
class IntakeDuplicate:
    appeal: Appeal
    score: float
    reasons: str
    mergeable: bool  # the new call may be merged into it (the appeal is still received, accepted or dispatched)


def _draft_facts(
    *, text: str, phone: str, address: str, area: Unit | None, longitude: float | None, latitude: float | None
) -> AppealFacts:
    community_path = ""
    if area is not None:
        if area.kind == "community":
            community_path = area.path
        elif area.kind == "grid" and area.parent_id:
            community_path = area.path.rsplit("/", 2)[0] + "/"
    return AppealFacts(
        id=0,
        tracking_no="",
        created_at=clock.now(),
        text=bigrams(text),
        phone=phone,
        area_code=area.code if area else "",
        area_kind=area.kind if area else "",
        area_path=area.path if area else "",
        community_path=community_path,
        longitude=longitude,
        latitude=latitude,
        address=address_bigrams(address),
    )


def intake_duplicates(
    *,
    user: User,
    text: str,
    phone: str = "",
    address: str = "",
    area: Unit | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    conf: DuplicateSettings | None = None,
) -> list[IntakeDuplicate]:
    """Open appeals in ``user``'s scope that the call being typed probably repeats, best first (at most 3)."""
    conf = conf or DuplicateSettings.from_settings()
    phone = pii.normalize_phone(phone or "")
    if phone and not pii.phone_is_valid(phone):
        phone = ""
    if len(text.strip()) < MIN_TEXT and not phone:
        return []
    facts = _draft_facts(text=text, phone=phone, address=address, area=area, longitude=longitude, latitude=latitude)
    probe = Appeal(address=address, citizen_phone=phone)
    visible = appeals_visible_to(user).values("pk")
    rows = list(candidates_query(probe, facts, conf).filter(pk__in=visible)[: conf.limit])
    by_id = {a.pk: a for a in rows}
    matches = rank(facts, [AppealFacts.of(a) for a in rows], conf)
    return [
        IntakeDuplicate(
            appeal=by_id[m.master_id],
            score=m.score,
            reasons=m.explanation,
            mergeable=by_id[m.master_id].state in MERGEABLE_STATES,
        )
        for m in matches[:MAX_SHOWN]
        if m.master_id in by_id
    ]


def merge_target(*, user: User, pk: int) -> Appeal | None:
    """The appeal the operator chose to merge the new call into, if it is in scope and still live."""
    return (
        appeals_visible_to(user)
        .filter(pk=pk, state__in=MERGEABLE_STATES, master__isnull=True)
        .select_related("lead_unit")
        .first()
    )
