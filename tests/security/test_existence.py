"""What you may not see is indistinguishable from what does not exist: every route that takes a
space, thread, post or flag id answers a colleague outside the secret space exactly as it answers
for an id that was never used (same status, same bytes), for every method; and ids given in
query strings and bodies (a quoted post, a post to react to) behave the same."""

from __future__ import annotations

import difflib
import re

import pytest

from tests.security.test_permission_walk import (
    SKIPPED_METHODS,
    VARIABLE,
    Call,
    _value,
    example_body,
)

MISSING = 987_654_321
CSRF = re.compile(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+')


def comparable(text: str, *ids) -> str:
    """A body with the ids asked for and the (time-stamped) CSRF tokens blanked out."""
    text = CSRF.sub(r"\1TOKEN", text)
    return re.sub(rf"\b({'|'.join(map(str, ids))})\b", "ID", text)


SECRET_VARIABLES = ("space_id", "thread_id", "post_id", "flag_id")
ROLE = "outsider"  # signed in, in the organisation, not in the secret space


@pytest.fixture(scope="module")
def spec(walk_app) -> dict:
    return walk_app.test_client().get("/api/v1/openapi.json").get_json()


def secret_calls(app, org) -> list[tuple[Call, Call]]:
    """Each (rule, method) whose URL points into the secret space, as a pair: with the secret id,
    and with an id nobody has."""
    from tests.security.access import ACCESS

    pairs = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        access = ACCESS.get(rule.endpoint)
        variables = set(VARIABLE.findall(rule.rule))
        if access is None or not access.secret or not variables & set(SECRET_VARIABLES):
            continue

        def url(missing: bool, access=access, rule=rule) -> str:
            def fill(match):
                name = match.group(1)
                if missing and name in SECRET_VARIABLES:
                    return str(MISSING)
                return _value(name, access, org)

            return VARIABLE.sub(fill, rule.rule)

        for method in sorted(rule.methods - SKIPPED_METHODS):
            hidden = Call(rule.endpoint, method, rule.rule, url(False), access)
            missing = Call(rule.endpoint, method, rule.rule, url(True), access)
            pairs.append((hidden, missing))
    return pairs


def answer(client, call: Call, org, spec) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {org.tokens[ROLE]}"} if call.api else {}
    kwargs = {}
    if call.api and call.method != "GET":
        body = example_body(spec, call.rule, call.method)
        if body is not None:
            kwargs["json"] = body
    url = call.url + (f"?{call.access.query}" if call.access.query else "")
    response = client.open(url, method=call.method, headers=headers, **kwargs)
    text = response.get_data(as_text=True)
    response.close()
    # the ids themselves may be echoed back (a form action); everything else must be equal
    ids = [org.ids[name] for name in SECRET_VARIABLES if name in org.ids]
    return response.status_code, comparable(text, MISSING, *ids)


def test_hidden_and_missing_ids_look_the_same_everywhere(walk_app, org, clients, spec):
    pairs = secret_calls(walk_app, org)
    assert len(pairs) > 40  # the walk finds the routes
    client = clients[ROLE]
    differences = []
    for hidden, missing in pairs:
        seen, absent = answer(client, hidden, org, spec), answer(client, missing, org, spec)
        if seen != absent:
            differences.append(
                f"{hidden.method} {hidden.rule}: hidden {seen[0]} {seen[1][:120]!r} / "
                f"missing {absent[0]} {absent[1][:120]!r}"
            )
    assert not differences, "\n".join(differences)


def test_a_hidden_post_named_in_a_query_or_a_body_is_a_missing_one(walk_app, org, clients):
    """Quoting or reacting names a post by id: a secret one must read as one that never was."""
    from advocacy.accounts.models import User
    from advocacy.discussions import threads
    from advocacy.discussions.models import Space
    from advocacy.extensions import db

    outsider = db.session.get(User, org.people[ROLE])
    town_hall = db.session.get(Space, org.ids["public_space_id"])
    thread = threads.start_thread(outsider, town_hall, "Lunch?", "Where shall we eat?")
    client, secret_post = clients[ROLE], org.ids["post_id"]
    api = {"Authorization": f"Bearer {org.tokens[ROLE]}"}

    def both(call):
        hidden, missing = call(secret_post), call(MISSING)

        def strip(text):
            return comparable(text, MISSING, secret_post)

        return (hidden.status_code, strip(hidden.get_data(as_text=True))), (
            missing.status_code,
            strip(missing.get_data(as_text=True)),
        )

    def same(pair, status):
        (hidden_status, hidden), (missing_status, missing) = pair
        diff = "\n".join(
            difflib.unified_diff(hidden.splitlines(), missing.splitlines(), lineterm="")
        )
        assert (hidden_status, hidden) == (missing_status, missing), diff
        assert hidden_status == status

    quoted_page = both(lambda pid: client.get(f"/discussions/threads/{thread.id}?quote={pid}"))
    same(quoted_page, 200)
    api_reply = both(
        lambda pid: client.post(
            f"/api/v1/threads/{thread.id}/posts",
            json={"body": "Agreed", "quote_of_id": pid},
            headers=api,
        )
    )
    same(api_reply, 404)
    form_reply = both(
        lambda pid: client.post(
            f"/discussions/threads/{thread.id}/replies", data={"body": "Agreed", "quote_of": pid}
        )
    )
    same(form_reply, 404)
    assert thread.reply_count == 0


def _filled(rule: str, access, org, missing: tuple[str, ...] = ()) -> str:
    def fill(match):
        name = match.group(1)
        return str(MISSING) if name in missing else _value(name, access, org)

    return VARIABLE.sub(fill, rule)


def test_admin_apis_refuse_before_they_look_anything_up(walk_app, org, clients, spec):
    """A member could tell which webhook ids exist (403 for one, 404 for another)."""
    from tests.security.access import ACCESS, ADMIN

    client, compared, differences = clients[ROLE], 0, []
    for rule in walk_app.url_map.iter_rules():
        access = ACCESS.get(rule.endpoint)
        ids = tuple(name for name in VARIABLE.findall(rule.rule) if name.endswith("_id"))
        if access is None or access.allowed != ADMIN or not ids or "/api/" not in rule.rule:
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            real = Call(rule.endpoint, method, rule.rule, _filled(rule.rule, access, org), access)
            fake = Call(
                rule.endpoint, method, rule.rule, _filled(rule.rule, access, org, ids), access
            )
            seen, absent = answer(client, real, org, spec), answer(client, fake, org, spec)
            compared += 1
            if seen != absent or seen[0] != 403:
                differences.append(f"{method} {rule.rule}: {seen[0]} / {absent[0]}")
    assert compared >= 5
    assert not differences, "\n".join(differences)
