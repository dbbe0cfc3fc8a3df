"""API tests: every client here validates its responses against the OpenAPI document."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _validate_every_client(validated_responses) -> None:
    """Even plain `client` requests to /api/v1 are checked against the document."""
