"""Login, the frame (navigation by role, top bar, language switch) and the project error pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_chinese_login_page(desk):
    client = Client()
    response = client.get(reverse("console:workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()


def test_login_with_password_opens_the_work_bench(desk):
    client = Client()
    response = client.post(reverse("console:login"), {"username": "op", "password": "pass-1234-word"})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:workbench")
    assert client.get(reverse("console:workbench")).status_code == 200


def test_wrong_password_says_so_in_chinese(desk):
    response = Client().post(reverse("console:login"), {"username": "op", "password": "nope-nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(desk, login):
    client = login(desk.operator)
    assert client.post(reverse("console:logout")).status_code == 302
    assert client.get(reverse("console:workbench")).status_code == 302


def _nav(client: Client) -> str:
    html = client.get(reverse("console:workbench")).content.decode()
    return html.split('<nav class="nav flex-column">', 1)[1].split("</nav>", 1)[0]


def test_navigation_shows_only_what_the_role_may_use(desk, login):
    operator = _nav(login(desk.operator))
    assert "工作台" in operator and "诉求受理" in operator
    assert "派单" not in operator and "统计分析" not in operator and "系统管理" not in operator

    dispatcher = _nav(login(desk.dispatcher))
    assert all(word in dispatcher for word in ("派单", "督办", "周报督办", "统计分析", "指挥大屏"))
    assert "系统管理" not in dispatcher

    leader = _nav(login(desk.leader))
    assert all(word in leader for word in ("诉求受理", "派单", "督办", "统计分析"))
    assert "系统管理" not in leader

    handler = _nav(login(desk.town_a_handler))
    assert "工作台" in handler
    assert "指挥大屏" not in handler and "诉求受理" not in handler and "派单" not in handler
    assert reverse("console:supervision") not in handler
    # A unit sees its own figures and its own weekly supervision report.
    assert "统计分析" in handler and "周报督办" in handler


def test_system_administration_is_offered_to_staff_admins(district, make_user, login):
    admin = make_user(district.centre, "admin", username="root")
    admin.is_staff = True
    admin.save()
    assert "系统管理" in _nav(login(admin))


def test_top_bar_shows_name_unit_role_search_and_language_switch(desk, login):
    html = login(desk.operator).get(reverse("console:workbench")).content.decode()
    assert desk.operator.display_name in html
    assert "海勃湾区社会治理中心" in html
    assert "话务员" in html
    assert 'name="q"' in html
    assert 'value="en"' in html and "English" in html
    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in html
    # Every script and stylesheet is vendored: nothing is loaded from another host.
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_pages_a_role_may_not_use_are_refused(desk, login):
    handler = login(desk.town_a_handler)
    assert handler.get(reverse("console:intake")).status_code == 403
    assert handler.get(reverse("console:analysis")).status_code == 403
    assert handler.get(reverse("console:supervision")).status_code == 403
    operator = login(desk.operator)
    assert operator.get(reverse("console:analysis")).status_code == 403


def test_english_is_one_click_away(desk, login):
    client = login(desk.operator)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("console:workbench")})
    assert response.status_code == 302
    html = client.get(reverse("console:workbench")).content.decode()
    assert "Work bench" in html
    assert "Intake" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/console/"})
    assert "工作台" in client.get(reverse("console:workbench")).content.decode()
