"""schemathesis against the live OpenAPI of a real server: no input of any kind produces a
server error, and every answer conforms to the documented status codes, media types and
schemas. Bounded and deterministic: derandomised, ``EXAMPLES`` cases per operation and
generation mode (valid and invalid data), every operation called with a token of a role
allowed on it (service/api/access.py).

schemathesis 4's pytest plugin (``from_fixture``) does not run under pytest 9 (it sets a
private node id), so the test drives each operation's Hypothesis strategy itself.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from service.api.access import roles_for
from service.application import HallLedger
from service.keys import ensure_signing_key
from service.settings import Settings
from tests.api.conftest import LiveServer, Tokens
from tests.givens import given_confirmed_violation, given_hall, given_staff

#: cases per operation and mode (HALL_LEDGER_TEST_API_EXAMPLES raises it for a deeper hunt)
EXAMPLES = int(os.environ.get("HALL_LEDGER_TEST_API_EXAMPLES", "10"))
#: schema-valid data may still be refused by the domain with 422 (a remedy due before the
#: admonishment, a rule's unknown item, a time in the future): RFC 9110's "unprocessable"
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def fuzz(operation: Any, mode: GenerationMode, base_url: str, auth: dict[str, str], query: Any) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, headers=auth or None, query=query))
    def call(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=auth, excluded_checks=EXCLUDED)

    call()


@pytest.mark.slow
def test_no_input_produces_a_server_error(
    live: LiveServer, tokens: Tokens, ledger: HallLedger, settings: Settings
) -> None:
    ensure_signing_key(settings)  # as `hall-ledger init` leaves a deployment
    staff = given_staff(ledger, given_hall(ledger))
    given_confirmed_violation(ledger, staff)
    loaded = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    # invalid data may be refused for its size before anything else looks at it: 413 is a refusal too
    rejection = loaded.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 120
    failures: list[str] = []
    for operation in operations:
        roles = sorted(roles_for(operation.method.upper(), operation.path))
        auth = {"Authorization": tokens.headers(roles[0])["Authorization"]} if roles else {}
        # an event stream that follows never ends: generate everything but that switch
        query = {"follow": False} if operation.path.endswith("/events/stream") else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, live.url, auth, query)
            except Unsatisfiable:  # nothing of this operation can be made invalid (no parameters)
                assert mode is GenerationMode.NEGATIVE
            except (Exception, BaseExceptionGroup) as e:  # collect every operation's failures, report them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {e}")
    assert not failures, "\n\n".join(failures)
