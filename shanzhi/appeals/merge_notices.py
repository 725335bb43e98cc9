"""Telling the caller of a merged duplicate (合并) what became of their appeal: at the merge, that it is handled
together with the master (and the master's tracking number); at the master's reply, the reply itself.

A caller who is also the master's caller (the same phone) already hears about the master: only the merge notice
goes to them, not a second copy of the reply. Messages go through the outbox (:func:`notify_citizen`), inside the
caller's transaction: they exist only if the merge or the reply commits.
"""

from __future__ import annotations

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.core import pii

PORTAL_CHANNELS = ("portal", "doorplate")


def _tell(appeal: Appeal, event: str, extra: dict) -> None:
    from shanzhi.notifications.services import notify_citizen

    notify_citizen(appeal=appeal, event=event, extra=extra)
    if appeal.channel in PORTAL_CHANNELS:
        notify_citizen(appeal=appeal, event=event, extra=extra, channel="portal")


def notify_merged(*, duplicate: Appeal, master: Appeal) -> None:
    """The duplicate's caller learns that it is handled with ``master`` and under which number (and, when the
    master has been answered already, the answer)."""
    _tell(duplicate, "merged", {"master_no": master.tracking_no})
    if master.reply_text and master.state in (AppealState.REPLIED, AppealState.CLOSED):
        _tell_reply(duplicate, master)


def _tell_reply(duplicate: Appeal, master: Appeal) -> None:
    master_phone = pii.normalize_phone(master.citizen_phone or "")
    if master_phone and pii.normalize_phone(duplicate.citizen_phone or "") == master_phone:
        return  # the same caller hears the master's reply already
    _tell(duplicate, "replied", {"reply": master.reply_text, "master_no": master.tracking_no})


def notify_duplicates_of_reply(*, master: Appeal) -> None:
    """Each merged duplicate's caller gets the master's reply (once per reply text: a repeated reply is deduped)."""
    for duplicate in Appeal.objects.filter(master=master, state=AppealState.MERGED).select_related("lead_unit"):
        _tell_reply(duplicate, master)
