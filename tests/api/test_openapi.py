"""The OpenAPI document: it covers every API route, documents auth and problem+json errors,
and the response validation the other API tests rely on really rejects a wrong response."""

from __future__ import annotations

import re

import pytest
from marshmallow import Schema, fields
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from advocacy.extensions import api as smorest_api
from advocacy.web.api import API_PREFIX, ApiBlueprint, public_api
from tests.openapi_validation import OPENAPI_PATH

IGNORED_METHODS = {"HEAD", "OPTIONS"}


class ProbeSchema(Schema):
    ok = fields.Boolean(required=True)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _api_operations(app) -> set[tuple[str, str]]:
    return {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(f"{API_PREFIX}/") and rule.rule != OPENAPI_PATH
        for method in rule.methods - IGNORED_METHODS
    }


def _spec_operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_api_route_is_in_the_document(app, openapi_spec):
    documented = {(path, method) for path, method, _ in _spec_operations(openapi_spec)}
    routes = _api_operations(app)
    assert routes, "no /api/v1 routes found"
    assert routes - documented == set()
    assert documented - routes == set()


def test_the_document_is_public(client):
    response = client.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


SIGNED_OPERATIONS = {
    (f"{API_PREFIX}/conversions", "post"),
    (f"{API_PREFIX}/referrals/stage", "post"),
}


def test_every_operation_requires_the_bearer_token(openapi_spec):
    assert openapi_spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for path, method, operation in _spec_operations(openapi_spec):
        if (path, method) in SIGNED_OPERATIONS:  # server-to-server, signed instead of a token
            assert operation["security"] == [], (path, method)
        else:
            assert operation["security"] == [{"bearerAuth": []}], (path, method)
        assert operation["responses"]["401"] == {
            "$ref": "#/components/responses/UnauthorizedProblem"
        }


def test_every_error_response_is_problem_json(openapi_spec):
    responses = openapi_spec["components"]["responses"]
    for path, method, operation in _spec_operations(openapi_spec):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            name = response["$ref"].rsplit("/", 1)[1]
            content = responses[name]["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
    assert "WWW-Authenticate" in responses["UnauthorizedProblem"]["headers"]


def test_schema_references_resolve(openapi_spec):
    schemas = openapi_spec["components"]["schemas"]
    refs = re.findall(
        r'"\$ref": "#/components/schemas/([^"]+)"', str(openapi_spec).replace("'", '"')
    )
    assert refs
    assert {ref for ref in refs if ref not in schemas} == set()


def test_documented_errors_per_endpoint(openapi_spec):
    paths = openapi_spec["paths"]
    assert {"403", "409", "422"} <= set(paths[f"{API_PREFIX}/teams"]["post"]["responses"])
    assert {"403", "404", "409", "422"} <= set(
        paths[f"{API_PREFIX}/teams/{{team_id}}/members"]["post"]["responses"]
    )
    assert "422" in paths[f"{API_PREFIX}/users"]["get"]["responses"]


def test_validation_rejects_a_response_that_breaks_the_document(app, openapi):
    request = EnvironBuilder(path=f"{API_PREFIX}/me", base_url="http://localhost").get_request()
    wrong = Response('{"id": "not a number"}', status=200, mimetype="application/json")
    with pytest.raises(Exception, match="(?i)invalid|fail"):
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(wrong))


def test_responses_are_validated(api, user, validated_responses):
    assert api(user).get(f"{API_PREFIX}/me").status_code == 200
    assert validated_responses == [("GET", f"{API_PREFIX}/me", 200)]


def test_a_public_endpoint_is_documented_without_security(make_app):
    app = make_app()
    extra = ApiBlueprint("public_probe", __name__)

    @extra.get("/probe")
    @extra.response(200, ProbeSchema)
    @public_api
    def probe():
        """A probe that needs no token."""
        return {"ok": True}

    smorest_api.register_blueprint(extra)
    assert app.test_client().get(f"{API_PREFIX}/probe").get_json() == {"ok": True}
    operation = (
        app.test_client().get(OPENAPI_PATH).get_json()["paths"][f"{API_PREFIX}/probe"]["get"]
    )
    assert operation["security"] == []
    assert "401" not in operation["responses"]
