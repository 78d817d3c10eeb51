"""The API fuzzed from its own OpenAPI document (schemathesis): no input answers 5xx, and every
documented response matches the document. Seeded and bounded (`LIAISON_FUZZ_EXAMPLES` examples per
operation, 10 by default), on both databases like the rest of the suite; a finding becomes a test
in tests/test_input_findings.py."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from liaison.api import api
from tests.conftest import cast_actor

EXAMPLES = int(os.environ.get("LIAISON_FUZZ_EXAMPLES", "10"))
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def token(db, settings):
    """A bearer token of the Na Mèo post officer (no CSRF: the fuzzer reaches the handlers). The
    requests run inside the test's transaction: neither the start nor the end of a request may close
    or the test's transaction (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from liaison.accounts.services import api_token_create

    settings.ALLOWED_HOSTS = ["*"]
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    _token, raw = api_token_create(cast_actor("na_meo_post_officer"), name="fuzz", days=1)
    yield raw
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_answers_5xx(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})
    case.validate_response(
        response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
