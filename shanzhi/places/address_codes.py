"""Standard-address codes in the spirit of GB/T 39609, and the address text. Pure functions; no ORM here.

    150302001002 042 0003 02 0501
    └ community ┘ └┬┘ └┬─┘ └┬┘ └┬─┘
      (12-digit    │   │    │   room (室, 4 digits: floor + number, 0501 = 5楼01室)
      division)    │   │    entrance (单元, 2 digits)
                   │   building (楼号, 4 digits)
                   street / compound (街路巷·小区 sequence within the community, 3 digits)

A compound's code stops after the street part (15 digits), a building's after the building (19), an entrance's after
the entrance (21), a room's is 25 digits. Codes of one subtree share a prefix, so "everything in building X" is one
prefix match.
"""

from __future__ import annotations

import re
from itertools import pairwise

CODE_RE = re.compile(r"^\d{12}(\d{3}(\d{4}(\d{2}(\d{4})?)?)?)?$")
LENGTHS = {"community": 12, "compound": 15, "building": 19, "entrance": 21, "room": 25}


def address_code(
    *,
    division_code: str,
    street_seq: int,
    building_no: int | None = None,
    entrance_no: int | None = None,
    room_no: int | None = None,
) -> str:
    """The code of an address; each part needs the ones before it."""
    if not re.fullmatch(r"\d{12}", division_code):
        raise ValueError("division code must have 12 digits")
    parts = [division_code, _fixed(street_seq, 3, "street")]
    if building_no is not None:
        parts.append(_fixed(building_no, 4, "building"))
        if entrance_no is not None:
            parts.append(_fixed(entrance_no, 2, "entrance"))
            if room_no is not None:
                parts.append(_fixed(room_no, 4, "room"))
    elif entrance_no is not None or room_no is not None:
        raise ValueError("an entrance or room needs a building")
    return "".join(parts)


def _fixed(value: int, width: int, name: str) -> str:
    if value < 0 or value >= 10**width:
        raise ValueError(f"{name} number out of range")
    return f"{value:0{width}d}"


def code_level(code: str) -> str:
    """``community`` / ``compound`` / ``building`` / ``entrance`` / ``room``; ValueError for a malformed code."""
    if not CODE_RE.match(code):
        raise ValueError("not a standard-address code")
    return next(level for level, length in LENGTHS.items() if length == len(code))


def format_code(code: str) -> str:
    """The code with spaces between its parts, for print: ``150302001002 042 0003 02 0501``."""
    cuts = [0, 12, 15, 19, 21, 25]
    return " ".join(code[a:b] for a, b in pairwise(cuts) if code[a:b])


def room_number(floor: int, index: int) -> int:
    """Room 501 = floor 5, door 01."""
    return floor * 100 + index


def address_text(
    *,
    area_names: list[str],
    street: str,
    house_number: str = "",
    building_no: int | None = None,
    entrance_no: int | None = None,
    room_no: int | None = None,
) -> str:
    """``海勃湾区凤凰岭街道和平社区和平小区3号楼2单元501室``.

    A street's house number (门牌号), when it has one, comes before the building."""
    text = "".join(area_names) + street + house_number
    if building_no is not None:
        text += f"{building_no}号楼"
    if entrance_no is not None:
        text += f"{entrance_no}单元"
    if room_no is not None:
        text += f"{room_no}室"
    return text
