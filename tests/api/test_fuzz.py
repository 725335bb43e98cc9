"""A schemathesis run over every route of ``/api/v1/`` (whatever routers are mounted when the schema is built): no
server error, no status the schema does not document, every response as the schema describes it, and the
validation matching the schema (schema-valid requests accepted, schema-violating ones refused).

The schema is built at module level from the application itself; the examples are bounded so the run stays short.
Set ``SHANZHI_FUZZ_EXAMPLES`` for a longer run (the outside review ran 13k cases).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from shanzhi.api import api
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.wsgi import application

EXAMPLES = int(os.environ.get("SHANZHI_FUZZ_EXAMPLES", "12"))

# A refusal the schema cannot express (a phone number that is no real one, a category that does not exist, an action
# the appeal's state does not allow) is a coded error. Schemathesis's positive_data_acceptance would count each as a
# schema-valid request rejected; the check below allows them only as coded refusals: a 422 of the schema validation
# itself ("invalid_request" and the field codes) on a schema-valid request is a mismatch between schema and validation.
SCHEMA_VALIDATION_CODES = {"invalid_request", "invalid_channel", "invalid_appeal_type", "invalid_urgency",
                           "invalid_request_kind", "invalid_date"}  # fmt: skip
ACCEPTED_REFUSALS = {400, 401, 403, 404, 409, 422, 429}


@schemathesis.check
def schema_valid_requests_pass_validation(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    assert response.status_code in ACCEPTED_REFUSALS, f"schema-valid request refused with {response.status_code}"
    code = response.json().get("code")
    assert code not in SCHEMA_VALIDATION_CODES, f"schema-valid request refused by the validation: {response.text}"
    return None


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=SchemathesisConfig())


@pytest.fixture
def _in_process_connections():
    """The requests run in this thread against the test database: keep its connection open between them, as
    Django's test client does (the WSGI handler would close it at the end of each request)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(desk, make_user, _in_process_connections) -> str:
    """The key of an integration that may do everything at the centre (so the transitions are reached)."""
    from shanzhi.orgs.models import Role

    apikey_cache_clear()
    user = make_user(desk.district.centre, *Role.values, username="fuzzer", personal_data=True)
    _, key = apikey_create(user=user, name="fuzz")
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_key):
    case.call_and_validate(
        headers={"X-Api-Key": fuzz_key},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_pass_validation],
    )


def test_the_run_covers_every_route_of_the_api():
    """Positive control: the schema the run walks is the application's own, every route of it."""
    ours = {path for path in api.get_openapi_schema()["paths"]}
    assert ours == set(schema.raw_schema["paths"]) and len(ours) >= 12
