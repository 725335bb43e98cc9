"""Fuzzing the public forms (the API has its own schemathesis run, ``tests/api/test_fuzz.py``): the portal's sign-in,
code, tracking and submission forms, the knowledge search, a doorplate address and the staff sign-in, with text
from Hypothesis (any Unicode, control characters, very long values) mixed with the classic attacks (SQL, script,
path traversal, format strings, Unicode digits).

Each case must end below 500; no answer may carry the script it was sent unescaped; what a submission wrote is
whole (an appeal with its tracking number and its content) or nothing. ``SHANZHI_FUZZ_FORM_EXAMPLES`` sets the
number of cases per form (default 60).
"""

from __future__ import annotations

import itertools
import os

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shanzhi.appeals.models import Appeal

from .test_scope_matrix import _record

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SHANZHI_FUZZ_FORM_EXAMPLES", "60"))
SCRIPT = "<script>alert('sz')</script>"
ATTACKS = [
    "' OR '1'='1' --",
    "1; DROP TABLE appeals_appeal; --",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "../../../../etc/passwd",
    "%s%s%s%n{0}{__class__}",
    "١٣٨٠٠٠٠١٢٣٤",  # Arabic-Indic digits that look like a phone number
    "１３８００００１２３４",  # full-width digits
    "\x00\x01\x1f\x7f",
    "𠀀𪚥" * 50,
    "A" * 10_000,
    "",
    " ",
]
text = st.one_of(st.sampled_from(ATTACKS), st.text(max_size=300), st.text(alphabet="0123456789-+ ", max_size=20))
_addresses = (f"10.{a}.{b}.{c}" for a, b, c in itertools.product(range(1, 250), range(1, 250), range(1, 250)))
FORMS = {
    "portal:signin": ["phone"],
    "portal:verify": ["code"],
    "portal:track": ["tracking_no", "code"],
    "portal:submit": ["form_key", "appeal_type", "category", "content", "address", "area", "longitude", "latitude",
                      "citizen_name"],
    "console:login": ["username", "password"],
}  # fmt: skip
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _check(response, sent: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (response.status_code, sent)
    body = response.content.decode("utf-8", errors="replace")
    if any(SCRIPT in value for value in sent.values()):
        assert SCRIPT not in body, sent
    assert "Traceback" not in body


def _whole_or_nothing() -> None:
    assert not Appeal.objects.filter(tracking_no="").exists()
    assert not Appeal.objects.filter(content="").exists()


@pytest.mark.parametrize("name", list(FORMS))
def test_public_forms_survive_any_input(desk, name):
    fields = FORMS[name]
    cases = 0

    @FUZZ_SETTINGS
    @given(values=st.fixed_dictionaries({f: text for f in fields}))
    def run(values: dict[str, str]) -> None:
        nonlocal cases
        cases += 1
        client = Client(REMOTE_ADDR=next(_addresses))
        response = client.post(reverse(name), values)
        _check(response, values)
        _whole_or_nothing()

    run()
    _record("fuzz_forms", **{name: cases})
    assert cases >= min(EXAMPLES, 10)


def test_searches_and_addresses_survive_any_input(desk):
    cases = 0
    staff = Client(REMOTE_ADDR="10.250.0.1")
    staff.force_login(desk.dispatcher)

    @FUZZ_SETTINGS
    @given(q=text)
    def run(q: str) -> None:
        nonlocal cases
        cases += 1
        public = Client(REMOTE_ADDR=next(_addresses))
        for client, path, params in (
            (public, reverse("knowledge_portal:index"), {"q": q}),
            (staff, reverse("console:search"), {"q": q}),
            (staff, reverse("reports:drill"), {"q": q, "unit": q, "state": q}),
            (staff, "/api/v1/appeals", {"state": q, "cursor": q, "limit": q}),
        ):
            _check(client.get(path, params), {"q": q})
        code = q.replace("/", "").strip()[:40] or "x"
        if "\x00" not in code:
            _check(public.get(f"/m/d/{code}/"), {"q": q})
            _check(public.post(f"/m/d/{code}/", {"content": q, "form_key": q, "phone": q}), {"q": q})

    run()
    _record("fuzz_forms", searches=cases)
    assert cases >= min(EXAMPLES, 10)
