"""The hostile-input corpus (corpus.py) against every form the pages offer (found by walking
the URL map and reading each page's forms), every JSON body of the API (from the OpenAPI
document) and every page's query string: each answer is a clear 4xx or the input is accepted and
shown escaped; never a 5xx, never a script let through."""

from __future__ import annotations

import pytest

from advocacy.extensions import limiter
from tests.security.corpus import CORPUS, RAW_MARKERS
from tests.security.forms import Form, forms_on
from tests.security.test_permission_walk import example_body, walk_calls

# Posting limits would turn this flood into 429s; they have their own tests.
APP_CONFIG = {"RATELIMIT_ENABLED": False}
# Forms get the entries most likely to break a page or a database (the API gets them all);
# then a few with every field at once (validators of addresses, e-mails, time zones).
IN_FORMS = (
    "script tag",
    "attribute break-out",
    "markdown link",
    "sql drop",
    "rtl override",
    "zero width",
    "emoji and joiners",
    "nul",
    "huge",
    "only spaces",
)
EVERY_FIELD = ("script tag", "nul", "huge")
IN_QUERIES = ("script tag", "nul")
VALID = {"url": "https://walk.example/story", "email": "insider@walk.example"}
KEEP = {"timezone", "languages", "csrf_token"}


# Files, not pages: they echo nothing a request sends.
FILES = {"static", "shell.favicon"}


def problems_with(response, label: str) -> list[str]:
    """A 5xx, an empty error, or a raw script in the answer."""
    found = []
    if response.mimetype.startswith("application/zip"):  # a download (my data): not text
        return [f"{label}: {response.status_code}"] if response.status_code >= 400 else []
    body = response.get_data(as_text=True)
    if response.status_code >= 500:
        found.append(f"{label}: {response.status_code}")
    elif response.status_code >= 400 and not body.strip():
        found.append(f"{label}: {response.status_code} without a message")
    if response.mimetype == "text/html":
        shown = body
    elif response.is_json:  # JSON is data; only its ready-made HTML fields reach a page as-is
        shown = " ".join(html_fields(response.get_json()))
    else:
        shown = ""
    for marker in RAW_MARKERS:
        if marker in shown:
            found.append(f"{label}: the answer holds {marker!r} unescaped")
    return found


def html_fields(value) -> list[str]:
    """The values of keys ending in "html" anywhere in a JSON document."""
    if isinstance(value, list):
        return [text for item in value for text in html_fields(item)]
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            for text in ([str(item)] if key.endswith("html") else html_fields(item))
        ]
    return []


def discovered_forms(walk_app, org, clients) -> list[tuple[str, Form]]:
    """(role, form) for each distinct POST form with text fields, as admin and signed out."""
    calls, _ = walk_calls(walk_app, org)
    found: dict[tuple, tuple[str, Form]] = {}
    for role in ("admin", "anonymous"):
        for call in calls:
            if call.method != "GET" or call.api or call.endpoint in FILES:
                continue
            page = clients[role].get(call.url)
            if page.mimetype != "text/html":  # CSV and ZIP downloads hold no forms
                continue
            for form in forms_on(call.url, page.get_data(as_text=True)):
                if form.method == "POST" and form.text_fields:
                    found.setdefault((form.action, tuple(form.text_fields)), (role, form))
    return list(found.values())


def filled(form: Form, text: str, every_field: bool) -> dict[str, str]:
    """The form's fields, the typed ones holding `text` (addresses stay valid unless
    `every_field`, so the rest of the form can be accepted and shown)."""
    data = {name: value for name, value in form.fields.items() if name != "csrf_token"}
    for name in form.text_fields:
        if name in KEEP and not every_field:
            continue
        kind = next((k for k in VALID if k in name), None)
        data[name] = VALID[kind] if kind and not every_field else text
    return data


def test_every_form_meets_the_corpus(walk_app, org, clients):
    forms = discovered_forms(walk_app, org, clients)
    assert len(forms) >= 20, [form.action for _, form in forms]
    found = []
    for role, form in forms:
        client = clients[role]
        for name in IN_FORMS:
            text = CORPUS[name]
            passes = [False, True] if name in EVERY_FIELD else [False]
            for every_field in passes:
                label = (
                    f"{role} POST {form.action} [{name}{', every field' if every_field else ''}]"
                )
                response = client.post(form.action, data=filled(form, text, every_field))
                found += problems_with(response, label)
                if response.status_code in (302, 303) and response.location.startswith("/"):
                    found += problems_with(client.get(response.location), f"{label} -> shown")
    limiter.reset()
    assert not found, "\n".join(found)


def test_every_form_survives_a_missing_field(walk_app, org, clients):
    """A form posted without one of its fields (a script, an old page, a crafted request) is a
    clear 4xx or accepted, never a 5xx: the thread form without `tags` was a 500."""
    found = []
    for role, form in discovered_forms(walk_app, org, clients):
        complete = filled(form, "Walked", every_field=False)
        for left_out in [name for name in form.fields if name != "csrf_token"]:
            data = {name: value for name, value in complete.items() if name != left_out}
            response = clients[role].post(form.action, data=data)
            found += problems_with(response, f"{role} POST {form.action} without {left_out}")
    limiter.reset()
    assert not found, "\n".join(found)


def test_every_page_shows_what_was_stored_escaped(walk_app, org, clients):
    """After the flood, every page (as admin, who sees everything) and fragment is clean."""
    calls, _ = walk_calls(walk_app, org)
    found = []
    for call in calls:
        if call.method == "GET" and call.endpoint not in FILES:
            found += problems_with(clients["admin"].get(call.url), f"GET {call.url}")
    assert not found, "\n".join(found)


def test_every_page_meets_hostile_query_strings(walk_app, org, clients):
    calls, _ = walk_calls(walk_app, org)
    found = []
    for call in calls:
        if call.method != "GET" or call.endpoint in FILES:
            continue
        headers = {"Authorization": f"Bearer {org.tokens['admin']}"} if call.api else {}
        for name in IN_QUERIES:
            text = CORPUS[name]
            query = {"q": text, "page": text, "per_page": text, "next": text, "scope": text}
            response = clients["admin"].get(call.url, query_string=query, headers=headers)
            found += problems_with(response, f"GET {call.url}?… [{name}]")
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def spec(walk_app) -> dict:
    return walk_app.test_client().get("/api/v1/openapi.json").get_json()


def body_operations(walk_app, org, spec):
    """(call, example body) for every API operation that takes a JSON body."""
    calls, _ = walk_calls(walk_app, org)
    for call in calls:
        if call.api and call.method not in ("GET", "DELETE"):
            body = example_body(spec, call.rule, call.method)
            if body is not None:
                yield call, body


def string_fields(spec: dict, body: dict, call) -> list[str]:
    """The fields of the operation's body that are free text."""
    path = "/api/v1" + call.rule.removeprefix("/api/v1")
    for variable in ("space_id", "thread_id", "post_id", "content_id", "team_id"):
        path = path.replace(f"<int:{variable}>", "{" + variable + "}")
    schema = spec["paths"][path][call.method.lower()]["requestBody"]["content"]
    schema = schema["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return [
        name
        for name, field in schema.get("properties", {}).items()
        if field.get("type") == "string" and "enum" not in field and not field.get("readOnly")
    ]


def test_every_api_body_meets_the_corpus(walk_app, org, clients, spec):
    client = clients["anonymous"]
    headers = {"Authorization": f"Bearer {org.tokens['admin']}"}
    found = []
    operations = list(body_operations(walk_app, org, spec))
    assert len(operations) >= 10
    for call, body in operations:
        names = string_fields(spec, body, call)
        for name, text in CORPUS.items():
            hostile = {**body, **dict.fromkeys(names, text)}
            response = client.open(call.url, method=call.method, json=hostile, headers=headers)
            found += problems_with(response, f"{call.method} {call.url} [{name}]")
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json", response.mimetype
    limiter.reset()
    assert not found, "\n".join(found)


WRONG_BODIES = {
    "plain text": ({"data": "title=x", "content_type": "text/plain"}, {415}),
    "form encoded": ({"data": {"title": "x"}}, {415}),
    "broken json": ({"data": '{"title": ', "content_type": "application/json"}, {400, 422}),
    "json array": ({"json": [1, 2, 3]}, {422}),
    "json string": ({"json": "title"}, {422}),
    "deep nesting": (
        {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"},
        {
            400,
            422,
        },
    ),
}


@pytest.mark.parametrize("kind", WRONG_BODIES)
def test_a_wrong_body_is_a_clear_4xx(kind, walk_app, org, clients, spec):
    kwargs, expected = WRONG_BODIES[kind]
    headers = {"Authorization": f"Bearer {org.tokens['admin']}"}
    found = []
    for call, _ in body_operations(walk_app, org, spec):
        response = clients["anonymous"].open(
            call.url, method=call.method, headers=headers, **kwargs
        )
        if response.status_code not in expected:
            found.append(f"{call.method} {call.url}: {response.status_code}")
        elif response.mimetype != "application/problem+json" or not response.get_json()["detail"]:
            found.append(f"{call.method} {call.url}: no problem+json detail")
    assert not found, "\n".join(found)
