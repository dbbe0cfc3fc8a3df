"""The permission walk: every URL rule and every OpenAPI operation, as every role, with real ids
of one seeded organisation. Nobody reads or changes what is not theirs; no 5xx anywhere; an
endpoint nobody declared in tests/security/access.py fails with a message saying so."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from tests.security.access import ACCESS, SECRET_READERS, Access
from tests.security.org import ROLES, Org

SAFE = {"GET"}
VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
SECRET_VARIABLES = {"space_id", "thread_id", "post_id", "flag_id"}
FIXED_VALUES = {
    "filename": "css/app.css",
    "network": "linkedin",
    "action": "submit",
    "code": "AAAAAAAAAAA",
    "token": "not-a-real-token",
}


@dataclass(frozen=True)
class Call:
    """One request of the walk."""

    endpoint: str
    method: str
    rule: str
    url: str
    access: Access

    @property
    def api(self) -> bool:
        return self.url.startswith("/api/")


def _value(variable: str, access: Access, org: Org) -> str:
    key = access.ids.get(variable, variable)
    if key in org.ids:
        return str(org.ids[key])
    return FIXED_VALUES.get(variable, key)


def walk_calls(app, org: Org) -> tuple[list[Call], list[str]]:
    """Every (rule, method) of the URL map with its URL; and the endpoints never declared."""
    calls, undeclared = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        access = ACCESS.get(rule.endpoint)
        if access is None:
            undeclared.append(f"{rule.endpoint} ({rule.rule})")
            continue
        url = VARIABLE.sub(lambda m, access=access: _value(m.group(1), access, org), rule.rule)
        for method in sorted(rule.methods - SKIPPED_METHODS):
            calls.append(Call(rule.endpoint, method, rule.rule, url, access))
    return calls, undeclared


def example_body(spec: dict, rule: str, method: str) -> dict | None:
    """A small valid JSON body for an API operation (its required fields), so a refused request
    is refused for who sends it, not for what it sends."""
    path = "/api/v1" + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if not schema:
        return None
    # A PATCH sends every field it may change: an empty one would change nothing, whoever sent it.
    return _example(spec, schema.get("schema", {}), every_field=method == "PATCH")


def _example(spec: dict, schema: dict, every_field: bool = False):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example(spec, spec["components"]["schemas"][name], every_field)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        names = [
            name
            for name, field in properties.items()
            if (every_field and not field.get("readOnly")) or name in schema.get("required", [])
        ]
        return {name: _example(spec, properties[name]) for name in names}
    if kind == "array":
        return [_example(spec, schema.get("items", {}))] if schema.get("minItems") else []
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    formats = {
        "email": "someone@walk.example",
        "uri": "https://walk.example/",
        "date-time": ("2030-01-01T09:00:00+00:00"),
    }
    return formats.get(schema.get("format"), "Walked")


def fingerprint() -> dict[str, int]:
    """Every table's rows, hashed: a refused write must leave each unchanged."""
    result = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        result[table.name] = hash(tuple(tuple(map(repr, row)) for row in rows))
    db.session.rollback()
    return result


def send(client, call: Call, role: str, org: Org, spec: dict):
    """One request of the walk, signed in as `role` (bearer token in the API)."""
    url = call.url + (f"?{call.access.query}" if call.access.query else "")
    headers = {}
    kwargs = {}
    if call.api:
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {org.tokens[role]}"
        if call.method not in SAFE:
            body = example_body(spec, call.rule, call.method)
            if body is not None:
                kwargs["json"] = body
    return client.open(url, method=call.method, headers=headers, **kwargs)


def judge(call: Call, role: str, response) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return f"{status} server error"
    access = call.access
    if role in access.allowed:
        if status in access.answers:
            return None
        if status >= 400 or "/login" in location:
            return f"refused ({status}) though declared allowed"
        return None
    if role == "anonymous":
        signed_out = status == 401 if call.api else status == 302 and "/login" in location
        return None if signed_out else f"answered {status} to a signed-out visitor"
    if access.secret and role not in SECRET_READERS:
        return None if status == 404 else f"{status} leaks the secret space (must be 404)"
    refusals = access.refused_with
    return (
        None
        if status in refusals
        else f"answered {status}, not {'/'.join(map(str, sorted(refusals)))}"
    )


@pytest.fixture(scope="module")
def spec(walk_app) -> dict:
    return walk_app.test_client().get("/api/v1/openapi.json").get_json()


def test_every_endpoint_declares_who_may_use_it(walk_app, org):
    _, undeclared = walk_calls(walk_app, org)
    assert not undeclared, (
        "These endpoints have no declared access rule; add each to ACCESS in "
        "tests/security/access.py (who may use it; see that module's docstring):\n  "
        + "\n  ".join(undeclared)
    )


def test_every_openapi_operation_is_walked(walk_app, org, spec):
    rules = {
        ("/api/v1" + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r.rule.removeprefix("/api/v1")), m)
        for r in walk_app.url_map.iter_rules()
        if r.endpoint in ACCESS
        for m in r.methods
    }
    operations = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations - rules == set()


@pytest.mark.parametrize("role", ROLES)
def test_the_walk(role, walk_app, org, clients, spec):
    calls, _ = walk_calls(walk_app, org)
    client = clients[role]
    problems = []
    reads = [c for c in calls if c.method in SAFE]
    writes = [c for c in calls if c.method not in SAFE and role not in c.access.allowed]

    def walk(calls: list[Call]) -> None:
        for call in calls:
            response = send(client, call, role, org, spec)
            problem = judge(call, role, response)
            response.close()
            if problem:
                problems.append(f"{call.method} {call.url} ({call.endpoint}): {problem}")

    walk(reads)
    before = fingerprint()
    walk(writes)
    after = fingerprint()
    changed = sorted(name for name in before if before[name] != after[name])
    if changed:
        problems.append(f"refused writes changed these tables: {', '.join(changed)}")
    assert not problems, f"{role}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("role", ROLES[1:])
def test_a_hidden_employee_is_anonymous_to_everyone_else(role, clients, org):
    """The owner chose to be hidden: ranked (their clicks scored), never named to others."""
    api = {"Authorization": f"Bearer {org.tokens[role]}"}
    board = clients[role].get("/api/v1/leaderboard?period=all", headers=api).get_json()
    owner = org.people["owner"]
    rows = board["people"]
    if role == "owner":
        assert board["me"]["name"] == "Owner Person" and board["me"]["user_id"] == owner
    else:
        assert any(row["anonymous"] for row in rows), rows
        assert all(row["user_id"] != owner and row["name"] != "Owner Person" for row in rows)
        page = clients[role].get("/leaderboard/?period=all").get_data(as_text=True)
        assert "Owner Person" not in page


@pytest.mark.parametrize(
    ("role", "sees_owner"),
    [("outsider", False), ("insider", False), ("owner", True), ("leader", True), ("admin", True)],
)
def test_reach_by_employee_shows_only_what_is_yours(role, sees_owner, clients, org):
    """Reach of another team's member (or a team mate, unless you lead the team) stays hidden."""
    api = {"Authorization": f"Bearer {org.tokens[role]}"}
    report = clients[role].get("/api/v1/reach?group_by=employee", headers=api).get_json()
    owner_rows = [row for row in report["items"] if row["key"] == str(org.people["owner"])]
    assert bool(owner_rows) == sees_owner, report["items"]
    if sees_owner:
        assert owner_rows[0]["human_clicks"] == 3
