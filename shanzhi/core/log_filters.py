"""Logging filters that keep personal data out of the logs.

An exception's message may quote what was submitted: a database error repeats the row it refused ("Key
(citizen_phone)=(138…) already exists"), a parser the text it could not read. :class:`WithholdExceptionMessages`
keeps every traceback's frames and exception types, which is what debugging needs, and leaves the messages out. It
is on the console handler unless ``DEBUG`` is on (a developer's own machine, where the debug page shows them
anyway).
"""

from __future__ import annotations

import logging
import traceback

WITHHELD = "(message withheld: it may quote personal data)"


class WithholdExceptionMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = withheld_traceback(traceback.TracebackException(*record.exc_info))
        return True


def withheld_traceback(exc: traceback.TracebackException) -> str:
    """The traceback as Python prints it, causes and contexts first, with each exception's type but no message."""
    parts: list[str] = []
    seen: set[int] = set()

    def walk(current: traceback.TracebackException) -> None:
        if id(current) in seen:
            return
        seen.add(id(current))
        if current.__cause__ is not None:
            walk(current.__cause__)
            parts.append("\nThe above exception was the direct cause of the following exception:\n\n")
        elif current.__context__ is not None and not current.__suppress_context__:
            walk(current.__context__)
            parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(current.stack.format())
        parts.append(f"{_type_name(current)}: {WITHHELD}\n")

    walk(exc)
    return "".join(parts).rstrip("\n")


def _type_name(exc: traceback.TracebackException) -> str:
    """``module.Name`` as Python prints it (``exc_type_str`` from Python 3.13 on)."""
    name = getattr(exc, "exc_type_str", None)
    if name:
        return str(name)
    kind = getattr(exc, "exc_type", None)
    if kind is None:
        return "Exception"
    module = kind.__module__
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"
