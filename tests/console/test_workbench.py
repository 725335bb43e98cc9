"""The work bench of each role: counters that filter the list, the centre's queues, the unit's assignments."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealState, Assignment
from shanzhi.appeals.unit_work import assignment_request, assignment_sign
from shanzhi.console import queues
from shanzhi.core import clock

pytestmark = pytest.mark.django_db


def counter(html: str, key: str) -> int:
    match = re.search(rf'data-bucket="{key}".*?<div class="sz-count">(\d+)</div>', html, re.S)
    assert match, f"no counter {key}"
    return int(match.group(1))


def bench(client, **params) -> str:
    response = client.get(reverse("console:workbench"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_operator_sees_raw_messages_waiting_for_acceptance(desk, intake, login):
    raw = intake(structured=False, category=None, content="来电：楼道灯坏了")
    dispatched = intake()
    html = bench(login(desk.operator))
    assert counter(html, "received") == 1
    assert counter(html, "todo") == 1  # operators do not dispatch: a dispatched appeal is not waiting for them
    assert raw.tracking_no in html and dispatched.tracking_no not in html
    # the counters filter the list; the filter lives in the URL
    assert "bucket=received" in html
    assert raw.tracking_no in bench(login(desk.operator), bucket="received")


def test_dispatcher_sees_accepted_appeals_without_a_unit(desk, intake, login):
    waiting = intake(area=None, address="", category=desk.property_service)  # territorial rule, no place
    assert waiting.state == AppealState.ACCEPTED
    routed = intake()
    assert routed.state == AppealState.DISPATCHED
    client = login(desk.dispatcher)
    html = bench(client, bucket="to_dispatch")
    assert counter(html, "to_dispatch") == 1
    assert waiting.tracking_no in html and routed.tracking_no not in html
    assert "待派单" in html


def test_centre_review_follow_up_and_request_queues(desk, intake, login):
    appeal = intake()
    lead = appeal.assignments.get(role="lead")
    assignment_sign(actor=desk.urban_handler, assignment=lead)
    assignment_request(
        actor=desk.urban_handler, assignment=lead, kind="extend", reason="需采购配件", extra_working_days=3
    )
    html = bench(login(desk.leader), bucket="requests")
    assert counter(html, "requests") == 1
    assert appeal.tracking_no in html
    # an operator's desk has no approval queue
    assert 'data-bucket="requests"' not in bench(login(desk.operator))


def test_due_today_and_overdue_counters(desk, intake, login):
    appeal = intake()
    later = appeal.due_at + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        html = bench(login(desk.leader), bucket="overdue")
        assert counter(html, "overdue") == 1
        assert appeal.tracking_no in html
        assert "sz-left-red" in html and "超期" in html
        unit_html = bench(login(desk.urban_handler), bucket="overdue")
        assert counter(unit_html, "overdue") == 1


def test_handler_sees_the_units_assignments_with_countdown(desk, intake, login):
    appeal = intake()
    html = bench(login(desk.urban_handler))
    assert counter(html, "todo") == 1
    assert counter(html, "pending_sign") == 1
    assert appeal.tracking_no in html
    assert "待签收" in html and "sz-tag-blue" in html
    assert "剩余" in html
    assert 'data-bucket="received"' not in html  # no centre queues for a unit
    # another unit's handler has an empty bench
    other = bench(login(desk.town_b_handler))
    assert counter(other, "todo") == 0 and appeal.tracking_no not in other


def test_bulk_sign_signs_the_checked_assignments(desk, intake, login):
    first, second = intake(), intake(content="另一处路灯不亮")
    ids = [a.pk for a in Assignment.objects.filter(unit=desk.district.dept_urban)]
    client = login(desk.urban_handler)
    response = client.post(reverse("console:bulk_sign"), {"assignment": ids}, follow=True)
    assert "已签收 2 件" in response.content.decode()
    for appeal in (first, second):
        appeal.refresh_from_db()
        assert appeal.state == AppealState.IN_PROGRESS


def test_bulk_sign_ignores_other_units_assignments(desk, intake, login):
    appeal = intake()
    ids = list(appeal.assignments.values_list("pk", flat=True))
    login(desk.town_b_handler).post(reverse("console:bulk_sign"), {"assignment": ids})
    assert not Assignment.objects.filter(pk__in=ids, state="signed").exists()


def test_centre_list_pages_by_keyset_never_offset(desk, intake):
    appeals = [intake(structured=False, category=None, content=f"来电 {n}") for n in range(5)]
    now = clock.now()
    qs = queues.centre_bucket(user=desk.operator, bucket="received", now=now, end_of_day=queues.end_of_local_day(now))
    assert "OFFSET" not in str(qs.order_by("created_at", "id")[:3].query).upper()
    first = queues.keyset_page(qs, cursor=None, limit=2)
    second = queues.keyset_page(qs, cursor=first.next_cursor, limit=2)
    third = queues.keyset_page(qs, cursor=second.next_cursor, limit=2)
    seen = [a.pk for a in first.rows + second.rows + third.rows]
    assert seen == [a.pk for a in appeals]
    assert third.next_cursor is None


def test_next_page_link_carries_the_cursor_in_the_url(desk, intake, login):
    for n in range(51):
        intake(structured=False, category=None, content=f"来电记录 {n}")
    client = login(desk.operator)
    html = bench(client, bucket="received")
    match = re.search(r'href="(\?view=centre&amp;bucket=received&amp;cursor=[^"]+)" rel="next"', html)
    assert match, "no 下一页 link"
    page_two = client.get(reverse("console:workbench") + match.group(1).replace("&amp;", "&")).content.decode()
    last = Appeal.objects.order_by("created_at", "id").last()
    assert last is not None
    assert last.tracking_no in page_two
    assert last.tracking_no not in html


def test_analyst_sees_counters_and_the_statistics_page(desk, intake, login):
    intake()
    client = login(desk.analyst)
    html = bench(client)
    assert counter(html, "todo") == 0
    old_address = client.get(reverse("console:analysis") + "?dim=channel")
    assert old_address.status_code == 302 and old_address["Location"] == reverse("reports:index") + "?dim=channel"
    stats = client.get(old_address["Location"]).content.decode()
    assert "城乡建设" in stats and "热线" in stats


def test_supervision_lists_overdue_appeals(desk, intake, login):
    appeal = intake()
    with time_machine.travel(appeal.due_at + dt.timedelta(minutes=5), tick=False):
        html = login(desk.dispatcher).get(reverse("console:supervision")).content.decode()
    assert appeal.tracking_no in html
    assert "138****1234" in html and "13800001234" not in html


def test_finished_work_shows_no_handling_countdown(desk, intake, login):
    """An appeal the unit has fed back on waits for the centre: its handling deadline no longer runs in the list,
    so an old deadline must not show it as 超期 against the unit."""
    appeal = intake()
    Appeal.objects.filter(pk=appeal.pk).update(state=AppealState.FEEDBACK, due_at=clock.now() - dt.timedelta(days=2))
    html = bench(login(desk.operator), bucket="feedback")
    row = html.split(appeal.tracking_no, 1)[1].split("</tr>", 1)[0]
    assert "超期" not in row and "—" in row


def test_the_centre_sees_its_own_reply_and_follow_up_deadlines(desk, intake, login):
    from shanzhi.appeals.services import appeal_reply
    from shanzhi.appeals.unit_work import assignment_feedback
    from shanzhi.sla.services import follow_up_due_at, reply_due_at

    start = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in the centre
    with time_machine.travel(start, tick=False):
        reviewed, replied = intake(), intake(content="另一处路灯不亮")
        for appeal in (reviewed, replied):
            lead = appeal.assignments.get(role="lead")
            assignment_sign(actor=desk.urban_handler, assignment=lead)
            assignment_feedback(actor=desk.urban_handler, assignment=lead, text="灯已修好", resolved=True)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        appeal_reply(actor=desk.operator, appeal=replied, text="灯已修好")
    reviewed.refresh_from_db()
    replied.refresh_from_db()

    deadlines = queues.centre_deadlines([reviewed, replied])
    assert deadlines[reviewed.pk].step == "reply"
    assert deadlines[reviewed.pk].due_at == reply_due_at(
        category=desk.road_light, urgency=reviewed.urgency, start=start
    )
    assert deadlines[replied.pk].step == "follow_up"
    assert deadlines[replied.pk].due_at == follow_up_due_at(
        category=desk.road_light, urgency=replied.urgency, start=replied.replied_at
    )
    assert deadlines[replied.pk].due_at > deadlines[reviewed.pk].due_at

    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        html = bench(login(desk.operator), bucket="feedback")
        assert reviewed.tracking_no in html and "答复" in html
        assert f'data-due="{deadlines[reviewed.pk].due_at.isoformat()}"' in html
        html = bench(login(desk.operator), bucket="replied")
        assert f'data-due="{deadlines[replied.pk].due_at.isoformat()}"' in html and "回访" in html
    # once the reply is overdue, the row says so
    with time_machine.travel(deadlines[reviewed.pk].due_at + dt.timedelta(minutes=1), tick=False):
        html = bench(login(desk.operator), bucket="feedback")
        assert "sz-left-red" in html
