"""Schemathesis against the app's own OpenAPI description, over HTTP to a real `kg serve`.

Every operation /openapi.json describes gets requests generated from its schema, both valid
(positive) and invalid (negative): the server may refuse them (4xx), never fail (5xx). The
budget is bounded so that the suite stays quick; ``KG_FUZZ_EXAMPLES`` raises it.
"""

from __future__ import annotations

import os

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

#: Examples per operation and generation mode: 7 operations x 2 modes x 150 ~ 2,000 requests.
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "150"))


@pytest.fixture(scope="module")
def operations(live_server):
    schema = schemathesis.openapi.from_dict(httpx.get(live_server + "/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


def test_the_description_covers_the_endpoint_and_the_api(operations):
    labels = {operation.label for operation in operations}
    assert {"GET /sparql", "POST /sparql", "GET /api/ask", "GET /id/{kind}/{slug}"} <= labels


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_generated_request_makes_the_server_fail(live_server, operations, mode):
    sent: list[str] = []
    with requests.Session() as session:
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                response = case.call(base_url=live_server, session=session, timeout=60)
                sent.append(case.operation.label)
                assert response.status_code < 500, (
                    f"{case.operation.label} query={case.query} body={case.body!r} -> "
                    f"{response.status_code}: {response.text[:500]}"
                )

            try:
                check()
            except Unsatisfiable:
                # Nothing invalid can be sent to an operation without parameters or body.
                assert mode is GenerationMode.NEGATIVE, operation.label
                assert not operation.query, operation.label
                assert not operation.body, operation.label
    assert len(sent) >= len(operations) * 10, "too few requests generated to mean anything"
