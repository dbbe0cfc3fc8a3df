"""schemathesis against /api/v1/openapi.json, in-process (WSGI), as a member of another team
and as an admin of the walk's organisation: no 5xx, and every answer matches the document
(status, content type, headers, body). Bounded to a few examples per operation so it stays fast;
`SCHEMATHESIS_EXAMPLES=200 pytest tests/security/test_schemathesis.py` (bench/README.md) is the
long run."""

from __future__ import annotations

import os
import secrets

import schemathesis
import whoosh.codec.base
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
ROLES = ("outsider", "admin")
# The document cannot say "a link needs its destination" (required depends on `kind`), so a
# schema-valid body may rightly get a 422: that check is left out, every other one runs.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def _unseeded_segment_name(size: int = 28) -> str:
    return secrets.token_hex(size // 2 + 1)[:size]


def test_the_api_answers_within_its_document(walk_app, org, monkeypatch):
    # Hypothesis re-seeds the global `random` for every example, and Whoosh names new index
    # segments with it: every example's write would reuse the first example's segment name and
    # trip Whoosh's own assertion. Outside Hypothesis the names are random as they should be.
    monkeypatch.setattr(whoosh.codec.base, "random_name", _unseeded_segment_name)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", walk_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            for role in ROLES:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {org.tokens[role]}"},
                    excluded_checks=EXCLUDED,
                )

        try:
            check()
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
