"""The port through which the centre's confirmed history reaches the classifier's training.

``routing`` is reference data below the appeal desk and never imports it; the desk knows which appeals had their
category set or confirmed by a person and plugs its reader in here at start-up (``AppConfig.ready``). This module is
deliberately light (no numpy, no scikit-learn): the web processes import it at start-up and only load the
classifier when they classify.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

HistorySource = Callable[..., list[Any]]
_source: HistorySource | None = None


def history_source_register(source: HistorySource | None) -> None:
    """Plug in (None: unplug) the reader of confirmed history: ``source(since=, until=) -> list[Example]``."""
    global _source
    _source = source


def history_read(*, since: datetime | None = None, until: datetime | None = None) -> list[Any]:
    """The confirmed history, oldest first; none when no reader is plugged in."""
    if _source is None:
        return []
    return _source(since=since, until=until)
