"""The scope matrix: every URL the application serves (read from the URL configuration and the API schema, so a new
page or endpoint is in the matrix the day it is mounted) × every role posted in a unit that should not see a town
A appeal, plus an anonymous visitor and a citizen signed in with another phone.

For each (endpoint, method, subject):
- an endpoint that names the object (its id, its tracking number, its file, its assignment or request) answers
  403/404, 401 (API), 405, 422 (an API body refused before any lookup) or a redirect to a sign-in page — never 2xx;
- no answer carries anything of the object (tracking number, content, the citizen's name, phone or ID number, even
  masked);
- a list, count, search or report page gives the same answer, byte for byte after CSRF tokens and clock times are
  taken out, as before the appeal existed (no row, no count, no hotspot, no figure moved);
- nothing of the object changed (POSTs with an empty form to every action).

Then the masking pass: every role posted at the centre (which sees every appeal) and the in-scope town A staff,
without the personal-data permission: no page they reach carries the phone, ID number or name unmasked, and the
log (as the deployment's handler writes it, with its filters) carries none of them either — searches by phone
included.

Roles that see the whole district by design (leader, analyst, admin) have no unit outside their scope; they are in
the masking pass. The counts land in ``test-output/security-figures.json`` for ``docs/security.md``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from shanzhi.appeals.models import AppealEvent
from shanzhi.core import pii
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import Role
from shanzhi.orgs.permissions import WHOLE_DISTRICT_ROLES
from shanzhi.portal.citizen import PHONE_KEY

from .conftest import (
    CITIZEN_ID,
    CITIZEN_NAME,
    CITIZEN_PHONE,
    OTHER_CITIZEN_PHONE,
    Scene,
    admin_object_of,
    scene_create,
    staff,
)
from .urlmatrix import Arguments, Endpoint, api_bodies, api_operations, endpoints, unreachable_patterns

pytestmark = pytest.mark.django_db

FIGURES = Path(__file__).resolve().parents[2] / "test-output" / "security-figures.json"

#: Roles bound by their unit (the rest see the whole district by design).
UNIT_BOUND_ROLES = [r for r in Role.values if r not in WHOLE_DISTRICT_ROLES]
#: (subject, role, unit attribute of the district): people who must not see a town A appeal.
OUTSIDERS = [
    *[(f"{role}@town_b", role, "town_b") for role in UNIT_BOUND_ROLES],
    ("grid_worker@grid_b", Role.GRID_WORKER, "grid_b"),
    ("handler@dept_housing", Role.HANDLER, "dept_housing"),
    ("unit_head@community_b", Role.UNIT_HEAD, "community_b"),
    ("anonymous", None, None),
    ("citizen", None, None),
]
#: People who may see the appeal but hold no personal-data permission.
INSIDERS = [
    *[(f"{role}@centre", role, "centre") for role in Role.values],
    *[(f"{role}@town_a", role, "town_a") for role in (Role.HANDLER, Role.UNIT_HEAD)],
    ("grid_worker@grid_a", Role.GRID_WORKER, "grid_a"),
]

API_BODIES = api_bodies()
#: Every request comes from the network, not from this machine (which may read /metrics).
OUTSIDE_ADDRESS = "203.0.113.7"
#: Answers that give nothing: refusals, a method not allowed, a request body refused before any lookup.
REFUSALS = {401, 403, 404, 405, 422}
#: Extra queries for lists and searches (path name → query strings) on top of each page's bare GET.
SEARCHES = {
    "console:search": [{"q": CITIZEN_PHONE}, {"q": CITIZEN_NAME}],
    "console:caller_history": [{"phone": CITIZEN_PHONE}],
    "console:workbench": [{"bucket": b} for b in ("todo", "pending_sign", "due_today", "overdue", "requests")],
    "reports:drill": [{"unit": "town"}, {"q": CITIZEN_PHONE}],
    "api-v1:appeal_list": [{"limit": 100}],
    "portal:appeals": [{"phone": CITIZEN_PHONE}],
}
_LAST = ("logout", "signout", "set_language")
_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'(csrf[-_]?token["\']?\s*[:=]\s*["\'])[^"\']+'), r"\1"),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r"\b[A-Za-z0-9]{64}\b"), "token"),
    (re.compile(r'name="(\w+)" value="[0-9a-f]{32}"'), r'name="\1" value=""'),  # one-time form keys
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"), "hh:mm"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.+Z-]+"), "iso-time"),
]


@dataclass
class Subject:
    name: str
    client: Client
    api_key: str | None = None


def _subject(name: str, role: str | None, unit_attr: str | None, desk) -> Subject:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    if name == "citizen":
        session = client.session
        session[PHONE_KEY] = OTHER_CITIZEN_PHONE
        session.save()
        return Subject(name, client)
    if role is None:
        return Subject(name, client)
    user = staff(getattr(desk.district, unit_attr), role, name.replace("@", "-"))
    client.force_login(user)
    _, key = apikey_create(user=user, name=f"矩阵 {name}")
    return Subject(name, client, key)


def _normalise(body: bytes) -> str:
    text = _as_text(body)
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


def _as_text(body: bytes) -> str:
    """A spreadsheet or Word file as the text of its cells and paragraphs (their zips carry a clock); else UTF-8."""
    if body[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = sorted(n for n in archive.namelist() if n.endswith(".xml") and "docProps" not in n)
            return "\n".join(archive.read(n).decode("utf-8", errors="replace") for n in names)
    return body.decode("utf-8", errors="replace")


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _requests(subject: Subject, endpoint: Endpoint, method: str) -> list[tuple[str, set[str], object]]:
    """(label, the query's values, response) for one endpoint and method: the API by key and by session, pages by
    session. A page may echo what was asked (``未找到 13911112222``): the values are given to be taken out."""
    out = []
    queries = [{}] + (SEARCHES.get(endpoint.name, []) if method == "GET" else [])
    for query in queries:
        label = f"{method} {endpoint.path}{'?' + '&'.join(f'{k}={v}' for k, v in query.items()) if query else ''}"
        echo = {str(v) for v in query.values()}
        echo |= {pii.mask_phone(v) for v in echo} | {pii.mask_name(v) for v in echo}
        if endpoint.is_api:
            json_body = API_BODIES.get((endpoint.api_key, method), "{}")
            body = {"content_type": "application/json", "data": json_body} if method == "POST" else {"data": query}
            if subject.api_key:
                keyed = Client(headers={"X-Api-Key": subject.api_key}, REMOTE_ADDR=OUTSIDE_ADDRESS)
                out.append((f"{label} [key]", echo, getattr(keyed, method.lower())(endpoint.path, **body)))
            out.append((f"{label} [session]", echo, getattr(subject.client, method.lower())(endpoint.path, **body)))
        else:
            out.append((label, echo, getattr(subject.client, method.lower())(endpoint.path, query)))
    return out


def _is_last(endpoint: Endpoint) -> bool:
    return any(word in endpoint.name for word in _LAST)


def _ordered(eps: list[Endpoint]) -> list[Endpoint]:
    """Sign-outs and the language switch last, so they do not change who asks the other pages."""
    return sorted(eps, key=lambda e: any(word in e.name for word in _LAST))


def _arguments(scene: Scene | None) -> Arguments:
    if scene is None:  # the baseline: only pages that name no object are visited
        return Arguments(by_name=_LIST_ARGS, default_int=999_999, default_str="none")
    appeal = scene.appeal
    return Arguments(
        by_name={
            **_LIST_ARGS,
            "pk": appeal.pk,
            "key": appeal.tracking_no,
            "tracking_no": appeal.tracking_no,
            "attachment_id": scene.attachment.pk,
            "assignment_id": scene.assignment.pk,
            "request_id": scene.request.pk,
            "unit_id": scene.desk.district.town_a.pk,
            "order_id": appeal.supervision_orders.values_list("pk", flat=True)[0],
        },
        default_int=appeal.pk,
        default_str=appeal.tracking_no,
        admin_object=admin_object_of(scene),
    )


_LIST_ARGS = {
    "code": "sign",
    "console:duplicate_decide.decision": "accept",
    "reports:monthly_export.fmt": "xlsx",
    "doorplates:qr.fmt": "png",
    "doorplates:scan.code": "none",
    "doorplates:filed.code": "none",
    "doorplates:qr.code": "none",
    "knowledge_portal:topic.code": "none",
}


def _diff(before: str, now: str) -> str:
    import difflib

    lines = difflib.unified_diff(before.splitlines(), now.splitlines(), lineterm="", n=0)
    return "\n".join(f"    {line.strip()[:160]}" for line in list(lines)[2:14])


def _is_sign_in_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    location = response.get("Location", "")
    return response.status_code in (301, 302, 303) and any(w in location for w in ("login", "signin"))


@contextlib.contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """What the deployment's log handler would write (its filters, INFO and up, every logger) while inside."""
    from shanzhi.core.log_filters import WithholdExceptionMessages
    from shanzhi.core.observability.request_context import RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(WithholdExceptionMessages())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _record(kind: str, **figures: int) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    data.setdefault(kind, {}).update(figures)
    FIGURES.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


def test_every_pattern_is_reached():
    """Only the known catch-alls escape the matrix (the API's and Open311's coded 404s, the admin's catch-all)."""
    assert unreachable_patterns() == ["admin/(?P<url>.*)", "api/v1/(?P<rest>.*)", "open311/v2/(?P<rest>.*)"]
    ops = api_operations()
    covered = {e.path for e in endpoints(_arguments(None), ops) if e.is_api}
    assert len(covered) >= len(ops)


@pytest.mark.parametrize(("name", "role", "unit_attr"), OUTSIDERS, ids=[o[0].replace("@", "-") for o in OUTSIDERS])
def test_outsider_gets_nothing(desk, name, role, unit_attr):
    failures, visited = outsider_failures(desk, name, role, unit_attr)
    _record("outsiders", **{name: sum(visited.values())})
    _record("endpoints", total=len(visited))
    assert not failures, "\n".join(failures)


def test_the_matrix_catches_a_broken_scope(desk, monkeypatch):
    """The control: with the appeal desk's scope filter broken (everyone sees everything), a town B handler's run
    fails — on the detail page, the API, the lists and the counts."""
    from shanzhi.appeals import selectors

    monkeypatch.setattr(selectors, "scope_filter", lambda user: None)
    failures, _ = outsider_failures(desk, "handler@town_b", Role.HANDLER, "town_b", check_state=False)
    text = "\n".join(failures)
    for expected in ("GET /console/appeals/", "GET /api/v1/appeals/", "differs from before", "carries tracking number"):
        assert expected in text


def _judge(label, echo, response, endpoint, markers, baseline) -> list[str]:  # type: ignore[no-untyped-def]
    """What is wrong with one answer to someone outside the object's scope."""
    failures: list[str] = []
    status = response.status_code
    raw = _body(response)
    body = _as_text(raw)
    for asked in sorted(echo, key=len, reverse=True):
        body = body.replace(asked, "")
    leaked = [what for what, text in markers.items() if text and text in body]
    if leaked:
        failures.append(f"{label} → {status} carries {', '.join(leaked)}")
    if endpoint.names_an_object and status not in REFUSALS and not _is_sign_in_redirect(response):
        failures.append(f"{label} → {status} {response.get('Location', '')} for an object outside the scope")
    if label in baseline:
        before = baseline[label]
        now = (status, _normalise(raw))
        if now != before:
            failures.append(f"{label} → differs from before the appeal existed ({before[0]} → {status})")
            failures.append(_diff(before[1], now[1]))
    if status >= 500:
        failures.append(f"{label} → {status}")
    return failures


def outsider_failures(desk, name, role, unit_attr, *, check_state: bool = True):  # type: ignore[no-untyped-def]
    """Run one subject over every endpoint: (failures, requests per path)."""
    apikey_cache_clear()
    subject = _subject(name, role, unit_attr, desk)
    ops = api_operations()
    lists = [e for e in _ordered(endpoints(_arguments(None), ops)) if not e.names_an_object]
    baseline = {}
    for endpoint in lists:
        if any(word in endpoint.name for word in _LAST):
            continue
        for method in endpoint.methods:
            if method == "GET":
                for label, _echo, response in _requests(subject, endpoint, method):
                    baseline[label] = (response.status_code, _normalise(_body(response)))

    scene = scene_create(desk)
    markers = scene.markers()
    events_before = AppealEvent.objects.filter(appeal=scene.appeal).count()
    state_before = (scene.appeal.state, scene.assignment.state, scene.request.state)
    failures: list[str] = []
    visited: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    every = _ordered(endpoints(_arguments(scene), ops))
    # Lists first, as in the baseline (a refused POST leaves a message that the next page would show).
    calls = [(e, "GET") for e in every if "GET" in e.methods and not e.names_an_object and not _is_last(e)]
    calls += [(e, m) for e in every for m in e.methods if (e, m) not in calls]
    for endpoint, method in calls:
        for label, echo, response in _requests(subject, endpoint, method):
            visited[endpoint.path] += 1
            statuses[f"{label.split(' ')[0]} {response.status_code}{' api' if endpoint.is_api else ''}"] += 1
            failures += _judge(label, echo, response, endpoint, markers, baseline)
    scene.appeal.refresh_from_db()
    scene.assignment.refresh_from_db()
    scene.request.refresh_from_db()
    if check_state and (scene.appeal.state, scene.assignment.state, scene.request.state) != state_before:
        failures.append(f"the appeal changed: {state_before} → {scene.appeal.state}, {scene.assignment.state}")
    if check_state and AppealEvent.objects.filter(appeal=scene.appeal).count() != events_before:
        failures.append("the appeal has new events")
    _record("refusals", **{name: sum(n for k, n in statuses.items() if k.split()[1] in ("401", "403", "404"))})
    return failures, visited


@pytest.mark.parametrize(("name", "role", "unit_attr"), INSIDERS, ids=[i[0].replace("@", "-") for i in INSIDERS])
def test_pages_in_scope_never_show_personal_data_in_full(desk, name, role, unit_attr):
    apikey_cache_clear()
    subject = _subject(name, role, unit_attr, desk)
    scene = scene_create(desk)
    full = {"phone": CITIZEN_PHONE, "id number": CITIZEN_ID, "name": CITIZEN_NAME}
    failures, reached, visited = [], 0, 0
    with captured_logs() as logs:
        calls = [
            (label, echo, response)
            for endpoint in _ordered(endpoints(_arguments(scene), api_operations()))
            if "GET" in endpoint.methods and not _is_last(endpoint)
            for label, echo, response in _requests(subject, endpoint, "GET")
        ]
    written = logs.getvalue()
    assert "django.request" in written  # the capture works: refusals are logged (without personal data)
    for what, text in full.items():
        if text in written:
            line = next(li for li in written.splitlines() if text in li)
            failures.append(f"the log carries the {what}: {line[:200]}")
    for label, echo, response in calls:
        visited += 1
        if response.status_code >= 500:
            failures.append(f"{label} → {response.status_code}")
        if response.status_code != 200:
            continue
        reached += 1
        body = _as_text(_body(response))
        for asked in sorted(echo, key=len, reverse=True):  # what the searcher typed, shown back to them
            body = body.replace(asked, "")
        shown = [what for what, text in full.items() if text in body]
        if shown:
            failures.append(f"{label} shows the {', '.join(shown)} in full")
    _record("insiders", **{name: visited})
    _record("insiders_reached", **{name: reached})
    assert reached > 0
    assert not failures, "\n".join(failures)
