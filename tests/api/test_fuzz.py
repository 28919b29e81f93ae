"""The API fuzzed from its own OpenAPI document (schemathesis): no input gives a 5xx.

Every documented operation gets generated paths, queries, headers and bodies, both fitting the
schema and violating it,
with a token that holds every scope so the authenticated routes are reached past their door.
The example count is bounded so the run stays under a minute on CI's two cores.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from redis import Redis
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

from distributor.api.app import create_app
from distributor.config import ApiToken
from distributor.keys import Keys
from tests.support.intake import api_services, make_settings
from tests.support.shares import SITE_ORIGIN, store_article

FUZZ_TOKEN = "fuzz-token-holding-every-scope"
SCOPES = frozenset({"deliveries:read", "deliveries:resolve", "preview"})
EXAMPLES = 40  # per operation, schema-valid and schema-violating inputs mixed
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE


@pytest.fixture
def api_schema(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[BaseSchema]:
    token = ApiToken(name="fuzz", token=SecretStr(FUZZ_TOKEN), scopes=SCOPES)
    settings = make_settings(redis_url, keys, tokens=[token], site_origins=[SITE_ORIGIN])
    store_article(redis_client, keys)  # so some generated ids find an article
    with api_services(settings) as services:
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app(services))


def test_no_generated_request_gets_a_server_error(api_schema: BaseSchema) -> None:
    headers = {"Authorization": f"Bearer {FUZZ_TOKEN}", "Origin": SITE_ORIGIN}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        cases = st.one_of(operation.as_strategy(POSITIVE), operation.as_strategy(NEGATIVE))

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
