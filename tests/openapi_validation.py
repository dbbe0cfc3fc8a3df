"""OpenAPI validation for tests: every /api/v1 response an `api` client (and any client in
tests/api/) receives is checked against the app's own OpenAPI document."""

from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from advocacy.web.api import API_PREFIX
from tests.conftest import CsrfClient

OPENAPI_PATH = f"{API_PREFIX}/openapi.json"


class ValidatingClient(CsrfClient):
    """A test client that validates each API response (status, headers, content type and body)
    against the OpenAPI document, failing the test on any mismatch."""

    openapi: OpenAPI
    validated: list

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        path = response.request.path
        if self._is_api_route(path, response.request.method):
            # The app consumed the request body; response validation only needs the operation.
            request = EnvironBuilder(
                method=response.request.method, path=path, base_url=response.request.host_url
            ).get_request()
            self.openapi.validate_response(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
            self.validated.append((response.request.method, path, response.status_code))
        return response

    def _is_api_route(self, path: str, method: str) -> bool:
        """Routed API operations only: an unknown URL has no operation to validate against."""
        if not path.startswith(f"{API_PREFIX}/") or path == OPENAPI_PATH:
            return False
        try:
            self.application.url_map.bind("localhost").match(path, method)
        except HTTPException:
            return False
        return True


@pytest.fixture
def openapi_spec(app) -> dict:
    """The OpenAPI document as served."""
    response = app.test_client().get(OPENAPI_PATH)
    assert response.status_code == 200
    return response.get_json()


_LOADED: dict[str, OpenAPI] = {}


@pytest.fixture
def openapi(openapi_spec) -> OpenAPI:
    """The document loaded by openapi-core (which also validates the document itself); loaded
    once per distinct document, since checking the document is slow and it rarely changes."""
    key = json.dumps(openapi_spec, sort_keys=True)
    if key not in _LOADED:
        # openapi-core 0.23 only parses bodies of exactly application/json; teach it problem+json.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        _LOADED[key] = OpenAPI.from_dict(openapi_spec, config=config)
    return _LOADED[key]


@pytest.fixture
def validated_responses(app, openapi) -> list:
    """Make every client of this test validate its API responses; lists what was checked."""
    validated: list = []
    app.test_client_class = type(
        "BoundValidatingClient", (ValidatingClient,), {"openapi": openapi, "validated": validated}
    )
    return validated


def problem_of(response, status: int) -> dict:
    """The problem+json body of an error response, after checking its common shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    return body
