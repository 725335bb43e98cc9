"""The console's search box: appeals found by words, always inside the viewer's data scope (DESIGN §7).

What a query may be (:func:`parse_query` decides, a pure function):

- a whole phone number → that caller's appeals;
- otherwise one or more words, each of which must match (AND): a word matches an appeal whose tracking number
  contains it (``000123``, ``20261128-0001``), whose title or content contains it, or whose caller has exactly that
  name. A word of 4 digits also matches a mobile number ending in them: the last four digits are what the masked
  number (139****1234) shows anyway, so the match tells nobody more than the list already does. Landlines show only
  their last two digits masked, so they are never matched by a tail; no other part of a number is searchable.

The caller's name is matched whole, not by a fragment: a name is personal data, and a fragment search would let a
viewer without the permission to see names read them back one character at a time.

A scan of the viewer's appeals, newest first, stopped once a page is full, on SQLite and PostgreSQL alike (plain
``LIKE`` for Chinese words, ``icontains`` where there are letters). Measured on PostgreSQL 15 with 100,000 appeals
(the centre's view, two cores shared): a common word 15–35 ms (the created_at index is walked until the page is full),
a word that matches nothing 100 ms and a tracking-number fragment 155 ms (every row read). Past a few hundred
thousand appeals a trigram index (pg_trgm) on title and content is the next step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import pii
from shanzhi.orgs.models import User

MAX_WORDS = 5
MAX_QUERY_LENGTH = 100
PER_PAGE = 20
_ASCII_WORD = re.compile(r"[A-Za-z0-9-]+")
_PHONE_TAIL = re.compile(r"\d{4}")
_MIN_ASCII_LENGTH = 3  # "1" or "HB" would match every appeal


@dataclass(frozen=True)
class SearchQuery:
    """What the box held, understood: ``kind`` is ``phone``, ``words`` or ``empty``."""

    kind: str
    phone: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    rows: list[Appeal]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def parse_query(raw: str) -> SearchQuery:
    """The words of a query (too short ASCII fragments and control characters dropped), or a whole phone number."""
    text = "".join(ch for ch in (raw or "")[:MAX_QUERY_LENGTH] if ch.isprintable()).strip()
    if not text:
        return SearchQuery("empty")
    phone = pii.normalize_phone(text)
    if pii.citizen_phone_is_valid(phone):
        return SearchQuery("phone", phone=phone)
    words: list[str] = []
    for word in text.split():
        if _ASCII_WORD.fullmatch(word) and len(word) < _MIN_ASCII_LENGTH:
            continue
        if word not in words:
            words.append(word)
    if not words:
        return SearchQuery("empty")
    return SearchQuery("words", words=tuple(words[:MAX_WORDS]))


def _word_q(word: str) -> Q:
    # Chinese has no letter case: a plain LIKE, which PostgreSQL runs in half the time of UPPER(…) LIKE UPPER(…).
    lookup = "icontains" if any(ch.isascii() and ch.isalpha() for ch in word) else "contains"
    condition = Q(**{f"title__{lookup}": word}) | Q(**{f"content__{lookup}": word}) | Q(citizen_name=word)
    if _ASCII_WORD.fullmatch(word):
        condition |= Q(tracking_no__contains=word.upper())
    if _PHONE_TAIL.fullmatch(word):
        # Mobiles only (11 digits starting with 1): their mask shows these four digits; a landline's does not.
        condition |= Q(citizen_phone__startswith="1", citizen_phone__endswith=word, phone_length=11)
    return condition


def _matching(user: User, query: SearchQuery) -> QuerySet[Appeal]:
    qs = appeals_visible_to(user)
    if query.kind == "phone":
        return qs.filter(citizen_phone=query.phone)
    if query.kind != "words":
        return qs.none()
    if any(_PHONE_TAIL.fullmatch(word) for word in query.words):
        qs = qs.annotate(phone_length=Length("citizen_phone"))
    for word in query.words:
        qs = qs.filter(_word_q(word))
    return qs


def appeals_search(*, user: User, query: SearchQuery, page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """One page of the appeals ``user`` may see that match ``query``, newest first (no count: the next page is
    known by reading one row more)."""
    page = max(1, page)
    qs = _matching(user, query).select_related("category", "lead_unit").order_by("-created_at", "-id")
    start = (page - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return SearchPage(query=query, rows=rows[:per_page], page=page, has_next=len(rows) > per_page)
