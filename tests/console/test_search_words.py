"""The top bar's search finds appeals by part of a tracking number, words of the title and content, the caller's
whole name and a mobile's last four digits — only within the viewer's scope, a page at a time, the caller masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.appeals.search import appeals_search, parse_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_a_appeal(desk, intake):
    """A property complaint in town A (凤凰岭街道 leads it), from 李四光 on 13911112222."""
    appeal = intake(
        category=desk.property_service,
        title="物业不作为",
        content="小区垃圾堆积无人清运",
        citizen_name="李四光",
        citizen_phone="13911112222",
    )
    assert appeal.lead_unit == desk.district.town_a
    return appeal


def search(client, q, **extra):
    return client.post(reverse("console:search"), {"q": q, **extra}).content.decode()


def test_parse_query_reads_words_and_phones():
    assert parse_query("  ").kind == "empty"
    assert parse_query("139 1111 2222").kind == "phone"
    assert parse_query("139 1111 2222").phone == "13911112222"
    assert parse_query("路灯  不亮 路灯").words == ("路灯", "不亮")
    assert parse_query("HB 1 路灯").words == ("路灯",)  # ASCII fragments under 3 characters match everything
    assert parse_query("12").kind == "empty"


@pytest.mark.parametrize("q", ["垃圾堆积", "物业", "李四光", "2222", "垃圾 物业"])
def test_words_find_the_appeal_for_the_unit_in_scope_only(desk, town_a_appeal, login, q):
    own = search(login(desk.town_a_handler), q)
    assert town_a_appeal.tracking_no in own  # the positive control: the unit that leads it
    other = search(login(desk.town_b_handler), q)
    assert town_a_appeal.tracking_no not in other
    assert "没有找到" in other


def test_part_of_a_tracking_number_finds_it(desk, town_a_appeal, login):
    fragment = town_a_appeal.tracking_no.split("-")[1]  # the daily sequence, e.g. 000001
    html = search(login(desk.operator), fragment)
    assert town_a_appeal.tracking_no in html
    assert town_a_appeal.tracking_no not in search(login(desk.town_b_handler), fragment)


def test_the_caller_is_masked_in_the_list(desk, town_a_appeal, login):
    html = search(login(desk.operator), "物业")
    assert "李*光" in html and "139****2222" in html
    assert "李四光" not in html.replace("“李四光”", "") and "13911112222" not in html


def test_a_fragment_of_a_name_or_of_hidden_digits_finds_nothing(desk, town_a_appeal, login):
    client = login(desk.operator)
    for q in ("四光", "1111", "3911112"):  # a name's hidden part; the masked middle of the number
        assert town_a_appeal.tracking_no not in search(client, q), q


def test_a_landline_is_not_found_by_its_masked_last_digits(desk, intake, login):
    appeal = intake(citizen_phone="0473-3125678", content="楼道灯坏了")
    client = login(desk.operator)
    assert appeal.tracking_no not in search(client, "5678")
    assert appeal.tracking_no in search(client, "楼道灯")


def test_words_must_all_match(desk, town_a_appeal, intake, login):
    light = intake(content="小区门口路灯不亮已经一周了")
    html = search(login(desk.operator), "小区 路灯")
    assert light.tracking_no in html and town_a_appeal.tracking_no not in html


def test_results_come_a_page_at_a_time(desk, intake, login):
    made = [intake(content=f"路灯第{n}号不亮") for n in range(5)]
    page1 = appeals_search(user=desk.operator, query=parse_query("路灯"), per_page=2)
    assert [a.pk for a in page1.rows] == [a.pk for a in made[::-1][:2]] and page1.has_next
    page3 = appeals_search(user=desk.operator, query=parse_query("路灯"), page=3, per_page=2)
    assert [a.pk for a in page3.rows] == [made[0].pk] and not page3.has_next and page3.has_previous


def test_the_pager_carries_the_query_encrypted(desk, intake, login):
    made = [intake(content=f"路灯第{n}号不亮", citizen_phone="13922223333") for n in range(25)]
    client = login(desk.operator)
    first = search(client, "139 2222 3333")
    assert made[-1].tracking_no in first and made[0].tracking_no not in first
    assert "13922223333" not in first and 'name="qt"' in first
    token = first.split('name="qt" value="')[1].split('"')[0]
    second = client.post(reverse("console:search"), {"qt": token, "page": "2"}).content.decode()
    assert made[0].tracking_no in second and made[-1].tracking_no not in second
    assert "139****3333" in second


def test_a_whole_tracking_number_still_opens_the_appeal(desk, town_a_appeal, login):
    response = login(desk.operator).post(reverse("console:search"), {"q": town_a_appeal.tracking_no})
    assert response.status_code == 302


def test_nonsense_is_answered_not_crashed(desk, town_a_appeal, login):
    client = login(desk.operator)
    for q in ("\x00", "%", "_", "a" * 500, "' OR 1=1 --"):
        response = client.post(reverse("console:search"), {"q": q, "page": "9" * 50})
        assert response.status_code == 200, q
        assert town_a_appeal.tracking_no not in response.content.decode()
