"""A merged duplicate's caller is told: at the merge, with the master's tracking number; at the master's reply, the
reply. Through the outbox, in the merge's or the reply's transaction."""

from __future__ import annotations

import pytest

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.services import appeal_merge, appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(desk, intake):
    master = intake(citizen_phone="13800001234")
    duplicate = intake(citizen_phone="13911112222", content="路灯不亮，和上次说的是同一处")
    return master, duplicate


def texts_to(phone: str, event: str) -> list[str]:
    return list(OutboxMessage.objects.filter(recipient=phone, event=event).values_list("body", flat=True))


def reply(desk, master: Appeal, text: str = "路灯已修复。") -> Appeal:
    lead = master.assignments.get(role="lead", round=master.round)
    lead = assignment_sign(actor=desk.urban_handler, assignment=lead)
    assignment_feedback(actor=desk.urban_handler, assignment=lead, text="已更换", resolved=True)
    return appeal_reply(actor=desk.operator, appeal=Appeal.objects.get(pk=master.pk), text=text)


def test_the_duplicates_caller_hears_of_the_merge_and_of_the_reply(desk, pair):
    master, duplicate = pair
    appeal_merge(actor=desk.dispatcher, appeal=duplicate, master=master, reason="同一路灯")
    merged = texts_to("13911112222", "merged")
    assert len(merged) == 1 and master.tracking_no in merged[0] and duplicate.tracking_no in merged[0]
    assert texts_to("13800001234", "merged") == []  # the master's caller is not told of someone else's call
    reply(desk, master)
    replies = texts_to("13911112222", "replied")
    assert len(replies) == 1 and "路灯已修复" in replies[0] and duplicate.tracking_no in replies[0]
    assert len(texts_to("13800001234", "replied")) == 1


def test_a_merge_into_an_answered_master_brings_the_answer(desk, intake, pair):
    master, _duplicate = pair
    reply(desk, master, "已修复，感谢反映。")
    late = intake(citizen_phone="13700007777", content="路灯又一次报修")
    appeal_merge(actor=desk.dispatcher, appeal=late, master=Appeal.objects.get(pk=master.pk))
    assert len(texts_to("13700007777", "merged")) == 1
    assert "已修复，感谢反映" in texts_to("13700007777", "replied")[0]


def test_the_same_caller_is_not_sent_the_reply_twice(desk, intake):
    master = intake(citizen_phone="13800001234")
    again = intake(citizen_phone="13800001234", content="路灯还是不亮")
    appeal_merge(actor=desk.dispatcher, appeal=again, master=master)
    reply(desk, master)
    assert len(texts_to("13800001234", "merged")) == 1
    assert len(texts_to("13800001234", "replied")) == 1


def test_a_refused_merge_writes_no_notice(desk, pair):
    from shanzhi.core.errors import ValidationFailed

    _master, duplicate = pair
    with pytest.raises(ValidationFailed):
        appeal_merge(actor=desk.dispatcher, appeal=duplicate, master=duplicate)
    assert texts_to("13911112222", "merged") == []
