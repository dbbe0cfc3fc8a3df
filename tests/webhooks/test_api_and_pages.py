"""Webhooks API and admin pages: admins only, bad URLs refused, the secret shown once, the
test button, the delivery log and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from standardwebhooks import Webhook

from advocacy.extensions import db
from advocacy.webhooks.models import WebhookSubscription
from tests.factories import UserFactory
from tests.openapi_validation import problem_of


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.com/in", "http:// or https://"),
        ("https://user:pw@hooks.example.com/in", "user name or password"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https:///no-host", "host name"),
        ("", "Enter the URL"),
        ("https://example.com/" + "a" * 2100, "at most"),
    ],
)
def test_bad_urls_are_refused_with_422(api, admin, url, message):
    response = api(admin).post(
        "/api/v1/webhooks", json={"name": "CRM", "url": url, "events": ["content.approved"]}
    )
    body = problem_of(response, 422)
    assert message in " ".join(body["errors"]["url"])
    assert WebhookSubscription.query.count() == 0


def test_unknown_events_and_missing_ones_are_refused(api, admin):
    client = api(admin)
    response = client.post("/api/v1/webhooks", json={"name": "CRM", "url": "https://x.example"})
    assert "at least one" in problem_of(response, 422)["errors"]["events"][0]
    response = client.post(
        "/api/v1/webhooks",
        json={"name": "CRM", "url": "https://x.example", "events": ["nope"]},
    )
    problem_of(response, 422)


def test_admin_manages_webhooks_through_the_api(api, admin, receiver, run_jobs):
    client = api(admin)
    created = client.post(
        "/api/v1/webhooks",
        json={"name": "CRM", "url": receiver.url, "events": ["content.approved", "share.created"]},
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["active"] is True
    hook_id = body["id"]

    listed = client.get("/api/v1/webhooks").get_json()
    assert [item["id"] for item in listed["items"]] == [hook_id]
    assert "secret" not in listed["items"][0]  # shown once only
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook_id}").get_json()

    tested = client.post(f"/api/v1/webhooks/{hook_id}/test")
    assert tested.status_code == 202
    run_jobs()
    log = client.get(f"/api/v1/webhooks/{hook_id}/deliveries").get_json()
    [entry] = log["items"]
    assert (entry["event_type"], entry["state"], entry["status_code"]) == (
        "webhook.test",
        "succeeded",
        200,
    )
    assert receiver.requests[0].headers["webhook-id"] == entry["message_id"]

    renewed = client.post(f"/api/v1/webhooks/{hook_id}/secret").get_json()["secret"]
    assert renewed.startswith("whsec_") and renewed != body["secret"]
    client.post(f"/api/v1/webhooks/{hook_id}/test")
    run_jobs()
    Webhook(renewed).verify(receiver.requests[-1].body, receiver.requests[-1].headers)

    assert client.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    problem_of(client.get(f"/api/v1/webhooks/{hook_id}"), 404)


@pytest.mark.parametrize("role", ["member", "curator"])
def test_only_admins_may_use_the_webhooks_api(api, subscribe, role):
    hook, _ = subscribe("https://hooks.example.com/in")
    client = api(UserFactory(role=role))
    new = {"name": "x", "url": "https://x.example", "events": ["share.created"]}
    for response in (
        client.get("/api/v1/webhooks"),
        client.post("/api/v1/webhooks", json=new),
        client.get(f"/api/v1/webhooks/{hook.id}"),
        client.delete(f"/api/v1/webhooks/{hook.id}"),
        client.get(f"/api/v1/webhooks/{hook.id}/deliveries"),
        client.post(f"/api/v1/webhooks/{hook.id}/test"),
        client.post(f"/api/v1/webhooks/{hook.id}/secret"),
    ):
        problem_of(response, 403)
    assert WebhookSubscription.query.count() == 1


def test_a_failed_test_does_not_count_against_the_subscription(
    api, admin, subscribe, receiver, run_jobs
):
    hook, _ = subscribe(receiver.url)
    receiver.script = [500]
    api(admin).post(f"/api/v1/webhooks/{hook.id}/test")
    run_jobs()
    [entry] = api(admin).get(f"/api/v1/webhooks/{hook.id}/deliveries").get_json()["items"]
    assert (entry["state"], entry["attempts"], entry["error"]) == ("failed", 1, "HTTP 500")
    assert api(admin).get(f"/api/v1/webhooks/{hook.id}").get_json()["consecutive_failures"] == 0


def test_admin_pages_create_show_the_secret_once_and_test(login_as, admin, receiver, run_jobs):
    client = login_as(admin)
    assert client.get("/admin/webhooks/").status_code == 200
    refused = client.post(
        "/admin/webhooks/",
        data={"name": "CRM", "kind": "webhook", "url": "ftp://x", "events": ["share.created"]},
    )
    assert refused.status_code == 422
    assert "Use a web address starting with http:// or https://" in refused.get_data(as_text=True)

    created = client.post(
        "/admin/webhooks/",
        data={"name": "CRM", "kind": "webhook", "url": receiver.url, "events": ["share.created"]},
    )
    assert created.status_code == 201
    hook = WebhookSubscription.query.one()
    assert hook.secret in created.get_data(as_text=True)
    page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert hook.secret not in page
    assert "Send a test" in page

    response = client.post(f"/admin/webhooks/{hook.id}/test")
    assert response.status_code == 303
    run_jobs()
    page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "webhook.test" in page and "delivered" in page and "HTTP 200" in page

    renewed = client.post(f"/admin/webhooks/{hook.id}/secret")
    assert "has a new secret" in renewed.get_data(as_text=True)
    db.session.refresh(hook)
    assert hook.secret in renewed.get_data(as_text=True)

    off = client.post(f"/admin/webhooks/{hook.id}/active", data={"active": "0"})
    assert off.status_code == 303
    assert WebhookSubscription.query.one().active is False


def test_delivery_log_exports_to_csv(login_as, admin, subscribe, receiver, run_jobs):
    hook, _ = subscribe(receiver.url)
    receiver.script = [500]
    client = login_as(admin)
    client.post(f"/admin/webhooks/{hook.id}/test")
    run_jobs()
    response = client.get(f"/admin/webhooks/{hook.id}/deliveries.csv?excel=1")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["id", "event", "message id", "state"]
    assert rows[1][1] == "webhook.test" and rows[1][3] == "failed"


def test_admin_pages_are_for_admins(login_as, subscribe, curator):
    hook, _ = subscribe("https://hooks.example.com/in")
    client = login_as(curator)
    assert client.get("/admin/webhooks/").status_code == 403
    assert client.get(f"/admin/webhooks/{hook.id}/deliveries.csv").status_code == 403
    assert client.post(f"/admin/webhooks/{hook.id}/test").status_code == 403
