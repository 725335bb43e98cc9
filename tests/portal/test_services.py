"""The portal's use cases: submit (idempotent, rate-limited, photos), anonymous tickets, scope between citizens,
supplying information, rating and the reopen window."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Attachment, EventKind
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal import selectors
from shanzhi.portal.citizen import Citizen
from shanzhi.portal.models import PortalRating, PortalTicket, RatingOutcome
from shanzhi.portal.services import (
    Photo,
    photo_checked,
    portal_rate,
    portal_reopen,
    portal_submit,
    portal_supply_info,
    ticket_open,
)
from shanzhi.portal.throttle import RateLimited

from .conftest import IP, PHONE_A

pytestmark = pytest.mark.django_db

ANON = Citizen()


def test_submit_with_a_category_is_routed_at_once(district, citizen_a, submit, photo):
    appeal = submit(citizen_a, photos=[photo, photo], longitude=106.82, latitude=39.67)
    assert appeal.channel == "portal" and appeal.created_by is None
    assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == district.dept_urban
    assert appeal.citizen_phone == PHONE_A and not appeal.is_anonymous
    assert (appeal.longitude, appeal.latitude) == (106.82, 39.67)
    assert Attachment.objects.filter(appeal=appeal, content_type="image/png").count() == 2
    # The SMS and the portal inbox both say it was received.
    assert set(OutboxMessage.objects.filter(appeal=appeal).values_list("channel", flat=True)) == {"sms", "portal"}
    text = selectors.next_step(appeal=appeal, now=clock.now())
    assert text.startswith(f"已受理，编号 {appeal.tracking_no}，预计 5 个工作日内答复（")


def test_submit_without_a_category_waits_for_an_operator(citizen_a, submit):
    appeal = submit(citizen_a, category=None)
    assert appeal.state == AppealState.RECEIVED
    assert "工作人员将尽快受理" in selectors.next_step(appeal=appeal, now=clock.now())


def test_double_submit_creates_one_appeal(citizen_a, submit):
    first = submit(citizen_a, form_key="same-form-key-0001")
    again = submit(citizen_a, form_key="same-form-key-0001")
    assert first.pk == again.pk and Appeal.objects.count() == 1


def test_a_form_key_of_another_citizen_reveals_nothing(citizen_a, citizen_b, submit):
    submit(citizen_a, form_key="same-form-key-0002")
    with pytest.raises(ValidationFailed) as refused:
        submit(citizen_b, form_key="same-form-key-0002")
    assert refused.value.code == "form_key_reused"


def test_non_images_are_refused_with_a_clear_message(citizen_a, submit):
    import io

    with pytest.raises(ValidationFailed) as refused:
        photo_checked(io.BytesIO(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"), "report.pdf")
    assert refused.value.code == "photo_not_image"
    assert "“report.pdf”不是图片" in str(refused.value.message)
    with pytest.raises(ValidationFailed):
        photo_checked(io.BytesIO(b"MZ\x90\x00 not a picture at all" * 10), "virus.jpg")
    assert not Appeal.objects.exists()


def test_at_most_six_photos(citizen_a, submit, photo):
    with pytest.raises(ValidationFailed) as refused:
        submit(citizen_a, photos=[photo] * 7)
    assert refused.value.code == "too_many_photos"
    assert not Appeal.objects.exists()


def test_submissions_are_limited_per_phone(citizen_a, submit):
    for _ in range(5):
        submit(citizen_a, ip_hash=f"ip-{_}")
    with pytest.raises(RateLimited):
        submit(citizen_a, ip_hash="ip-other")
    assert Appeal.objects.count() == 5


def test_submissions_are_limited_per_ip(submit):
    for n in range(10):
        submit(Citizen(phone=f"1370000{n:04d}"))
    with pytest.raises(RateLimited):
        submit(ANON)
    submit(ANON, ip_hash="another-ip")
    assert Appeal.objects.count() == 11


def test_anonymous_submission_gets_a_ticket(submit, road_light):
    result = portal_submit(
        citizen=ANON,
        ip_hash=IP,
        form_key="anon-form-key-0001",
        appeal_type="complaint",
        content="夜里工地施工噪音很大",
        category=road_light,
        now=clock.now(),
    )
    appeal = result.appeal
    assert appeal.is_anonymous and appeal.citizen_phone == "" and len(result.ticket_code) == 8
    ticket = PortalTicket.objects.get(appeal=appeal)
    assert result.ticket_code not in ticket.code_hash
    opened = ticket_open(
        tracking_no=appeal.tracking_no.lower(), code=result.ticket_code.lower(), ip_hash=IP, now=clock.now()
    )
    assert opened == appeal
    with pytest.raises(NotFound):
        ticket_open(tracking_no=appeal.tracking_no, code="WRONG234", ip_hash=IP, now=clock.now())
    # The ticket opens this appeal only, through the session's ticket list.
    holder = Citizen(ticket_appeal_ids=frozenset({appeal.pk}))
    assert selectors.citizen_appeal_get(citizen=holder, tracking_no=appeal.tracking_no) == appeal


def test_ticket_guessing_is_limited_per_ip(submit):
    appeal = submit(ANON)
    now = clock.now()
    for _ in range(10):
        with pytest.raises(NotFound):
            ticket_open(tracking_no=appeal.tracking_no, code="AAAAAAAA", ip_hash="guesser", now=now)
    with pytest.raises(RateLimited):
        ticket_open(tracking_no=appeal.tracking_no, code="AAAAAAAA", ip_hash="guesser", now=now)


def test_nothing_of_one_citizen_is_visible_to_another(citizen_a, citizen_b, submit, photo):
    mine = submit(citizen_a, photos=[photo])
    theirs = submit(citizen_b)
    anonymous = submit(ANON)
    assert selectors.citizen_appeals(citizen=citizen_a) == [mine]
    assert selectors.citizen_appeals(citizen=ANON) == []
    for appeal in (theirs, anonymous):
        with pytest.raises(NotFound):
            selectors.citizen_appeal_get(citizen=citizen_a, tracking_no=appeal.tracking_no)
    photo_id = mine.attachments.get().pk
    with pytest.raises(NotFound):
        selectors.citizen_photo_get(citizen=citizen_b, tracking_no=mine.tracking_no, attachment_id=photo_id)
    assert selectors.citizen_photo_get(citizen=citizen_a, tracking_no=mine.tracking_no, attachment_id=photo_id)


def test_public_timeline_shows_no_internal_notes_or_staff(citizen_a, submit, handle, staff):
    appeal = submit(citizen_a)
    AppealEvent.objects.create(
        appeal=appeal, kind=EventKind.NOTE, reason="内部备注：此人多次来电", is_public=False, created_at=clock.now()
    )
    handle(appeal, reply="路灯已修复。")
    entries = selectors.public_timeline(appeal=appeal)
    labels = [e.label for e in entries]
    assert labels[:3] == ["诉求已登记", "已受理", "已派遣"] and labels[-1] == "统一答复"
    text = " ".join(e.label + e.text for e in entries)
    assert "内部备注" not in text and "已更换灯泡" not in text  # the note, the unit's feedback
    assert staff.operator.display_name not in text and "区城市管理综合执法局" in text


def test_supply_info_resumes_the_appeal(citizen_a, submit, ask, photo):
    appeal = submit(citizen_a, category=None)
    ask(appeal, question="请提供路灯杆编号")
    appeal.refresh_from_db()
    assert selectors.citizen_actions(appeal=appeal, now=clock.now()).supply_info
    assert "请提供路灯杆编号" in selectors.next_step(appeal=appeal, now=clock.now())
    after = portal_supply_info(citizen=citizen_a, appeal=appeal, text="杆号 HP-0231", photos=[photo])
    assert after.state == AppealState.RECEIVED and "杆号 HP-0231" in after.content
    assert after.attachments.count() == 1


def test_rating_satisfied_closes(citizen_a, submit, handle):
    appeal = handle(submit(citizen_a))
    assert selectors.citizen_actions(appeal=appeal, now=clock.now()).rate
    record = portal_rate(citizen=citizen_a, appeal=appeal, rating="satisfied", resolved=True, now=clock.now())
    appeal.refresh_from_db()
    assert record.outcome == RatingOutcome.CLOSED and appeal.state == AppealState.CLOSED
    assert appeal.events.filter(kind=EventKind.CLOSED, actor__isnull=True).exists()
    with pytest.raises(TransitionNotAllowed):
        portal_rate(citizen=citizen_a, appeal=appeal, rating="satisfied", resolved=True, now=clock.now())


def test_dissatisfied_within_the_window_reopens(citizen_a, submit, handle, settings):
    settings.SHANZHI_PORTAL_REOPEN_DAYS = 15
    appeal = handle(submit(citizen_a))
    later = appeal.replied_at + dt.timedelta(days=14)
    record = portal_rate(
        citizen=citizen_a, appeal=appeal, rating="dissatisfied", resolved=False, comment="还是不亮", now=later
    )
    appeal.refresh_from_db()
    assert record.outcome == RatingOutcome.REOPENED
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2
    assert "还是不亮" in appeal.events.get(kind=EventKind.REDO).reason


def test_dissatisfied_after_the_window_is_recorded_for_the_follow_up(citizen_a, submit, handle, settings):
    settings.SHANZHI_PORTAL_REOPEN_DAYS = 3
    appeal = handle(submit(citizen_a))
    later = appeal.replied_at + dt.timedelta(days=3, minutes=1)
    record = portal_rate(citizen=citizen_a, appeal=appeal, rating="dissatisfied", resolved=False, now=later)
    appeal.refresh_from_db()
    assert record.outcome == RatingOutcome.RECORDED and appeal.state == AppealState.REPLIED
    with pytest.raises(ValidationFailed) as twice:
        portal_rate(citizen=citizen_a, appeal=appeal, rating="satisfied", resolved=True, now=later)
    assert twice.value.code == "already_rated"
    assert not selectors.citizen_actions(appeal=appeal, now=later).rate
    assert PortalRating.objects.count() == 1


def test_reopening_a_closed_appeal_respects_the_window(citizen_a, submit, handle, settings):
    settings.SHANZHI_PORTAL_REOPEN_DAYS = 15
    appeal = handle(submit(citizen_a))
    portal_rate(citizen=citizen_a, appeal=appeal, rating="satisfied", resolved=True, now=clock.now())
    appeal.refresh_from_db()
    late = appeal.replied_at + dt.timedelta(days=16)
    assert not selectors.citizen_actions(appeal=appeal, now=late).reopen
    with pytest.raises(TransitionNotAllowed) as refused:
        portal_reopen(citizen=citizen_a, appeal=appeal, reason="路灯又坏了", now=late)
    assert refused.value.code == "reopen_window_passed"
    with pytest.raises(ValidationFailed):
        portal_reopen(citizen=citizen_a, appeal=appeal, reason="  ", now=clock.now())


def test_photo_checked_accepts_real_images():
    import io

    from .conftest import png_bytes

    photo = photo_checked(io.BytesIO(png_bytes()), "a/b/light.png")
    assert isinstance(photo, Photo) and photo.name == "light.png"
