"""Field types the API's schemas share: dates and times as ISO 8601 text only.

pydantic in lax mode reads ``0.5`` or ``0`` as seconds since 1970 for a date or a date-time; the OpenAPI schema
says ``format: date``, so a number must be refused (a schema-violating request accepted is a defect the fuzz test
finds). Use these in every router instead of bare ``dt.date`` / ``dt.datetime``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def iso_only(value: object) -> object:
    """Let through ISO 8601 text (and values already parsed); refuse numbers and other text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("not an ISO 8601 date")
    if isinstance(value, str) and not _ISO_DATE_START.match(value.strip()):
        raise ValueError("not an ISO 8601 date")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(iso_only)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(iso_only)]


def number_not_text(value: object) -> object:
    """A JSON number only: refuse text such as ``"1"``, which lax pydantic would read as 1 (JSON Schema's
    ``integer`` allows ``1.0``, so ``StrictInt`` would be too strict)."""
    if isinstance(value, str | bool):
        raise ValueError("not a number")
    return value


#: An integer in a JSON body (query strings are text by nature: use ``int`` there).
JsonInt = Annotated[int, BeforeValidator(number_not_text)]


#: The years a statistics period may cover (reports and KPIs): outside them a date is refused, before it reaches
#: time-zone arithmetic that overflows or lands in local mean time.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def year_in_range(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"year outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


#: A date bounding a statistics period.
PeriodDate = Annotated[
    IsoDate,
    AfterValidator(year_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}),
]
