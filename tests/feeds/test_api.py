"""The feed's JSON API end to end; every response is checked against the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from advocacy.feeds import compliance
from advocacy.models_base import utcnow
from tests.feeds.factories import ContentFactory, caption, target
from tests.openapi_validation import problem_of

NEW = {
    "kind": "job_opening",
    "title": "Data Engineer, Singapore",
    "destination_url": "https://careers.acme.example/jobs/42?src=feed",
    "summary": "Build our data platform.",
    "topics": ["Careers", "Data"],
    "campaign": "apac-hiring",
    "captions": [
        {"network": "linkedin", "text": "We are hiring in Singapore!"},
        {"network": "linkedin", "text": "Join our data team."},
        {"network": "x", "text": "Hiring: Data Engineer"},
    ],
    "captions_editable": True,
}


def test_suggest_submit_approve_and_share(api, org, mail_outbox, run_jobs):
    compliance.set_disclosure("#AcmeEmployee", org["admin"])
    member, curator = api(org["member"]), api(org["curator"])
    created = member.post("/api/v1/content", json={**NEW, "audience": {"teams": [org["team"].id]}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["state"], body["status"], body["author_id"]) == (
        "draft",
        "draft",
        org["member"].id,
    )
    assert body["audience"] == {"teams": [org["team"].id], "locations": [], "languages": []}
    assert body["topics"] == ["Careers", "Data"]
    content_id = body["id"]

    assert member.post(f"/api/v1/content/{content_id}/submit").get_json()["state"] == "submitted"
    problem_of(member.post(f"/api/v1/content/{content_id}/submit"), 409)
    approved = api(org["leader"]).post(f"/api/v1/content/{content_id}/approve", json={})
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    run_jobs()
    assert {m.subject for m in mail_outbox} >= {"Approved: Data Engineer, Singapore"}

    teammate = api(org["team_member"])
    feed = teammate.get("/api/v1/feed").get_json()
    assert [item["id"] for item in feed["items"]] == [content_id]
    assert feed["items"][0]["shared_by_me"] is False and feed["next_cursor"] is None
    assert curator.get("/api/v1/feed").get_json()["items"] == []  # not in Sales

    share = teammate.post(f"/api/v1/content/{content_id}/shares", json={"network": "x"})
    assert share.status_code == 201
    result = share.get_json()
    assert result["caption"] == "Hiring: Data Engineer #AcmeEmployee"
    assert parse_qs(urlsplit(result["intent_url"]).query)["url"] == [result["tracked_url"]]
    code = result["tracked_url"].rsplit("/", 1)[1]
    redirect = teammate.get(f"/r/{code}")
    assert redirect.headers["Location"] == (
        "https://careers.acme.example/jobs/42?src=feed&utm_source=x&utm_medium=employee_advocacy"
        f"&utm_campaign=apac-hiring&adv_ref={code}"
    )
    assert teammate.get("/api/v1/feed").get_json()["items"][0]["shared_by_me"] is True
    assert teammate.get("/api/v1/feed?unshared=true").get_json()["items"] == []


def test_reject_needs_a_note_and_patch_changes_only_what_is_sent(api, org):
    content = ContentFactory(state="submitted", author_id=org["member"].id)
    caption(content, "linkedin", "Keep me")
    curator = api(org["curator"])
    body = problem_of(curator.post(f"/api/v1/content/{content.id}/reject", json={}), 422)
    assert body["errors"] == {"note": ["Say why it is rejected: the author will read it."]}
    patched = curator.patch(f"/api/v1/content/{content.id}", json={"summary": "New summary"})
    assert patched.get_json()["summary"] == "New summary"
    assert patched.get_json()["captions"] == [{"network": "linkedin", "text": "Keep me"}]
    rejected = curator.post(f"/api/v1/content/{content.id}/reject", json={"note": "Too long"})
    assert rejected.get_json()["state"] == "rejected"
    assert rejected.get_json()["review_note"] == "Too long"


def test_bad_input_gets_field_errors_and_saves_nothing(api, org):
    member = api(org["member"])
    cases = [
        ({**NEW, "destination_url": "javascript:alert(1)"}, "destination_url"),
        ({**NEW, "image_url": "data:image/png;base64,AA"}, "image_url"),
        ({**NEW, "title": "t" * 201}, "title"),
        ({**NEW, "captions": [{"network": "myspace", "text": "hi"}]}, "captions"),
        ({**NEW, "captions": [{"network": "x", "text": "x" * 281}]}, "captions.x.0"),
        ({**NEW, "publish_at": (utcnow() - timedelta(days=1)).isoformat()}, "publish_at"),
        ({**NEW, "publish_at": "2031-05-01T09:00:00"}, "publish_at"),  # no offset
        ({**NEW, "kind": "podcast"}, "kind"),
        ({**NEW, "unknown": 1}, "unknown"),
        ({**NEW, "audience": {"teams": [987654]}}, "teams"),
    ]
    for payload, field in cases:
        body = problem_of(member.post("/api/v1/content", json=payload), 422)
        assert field in body["errors"], (field, body)
    start = utcnow() + timedelta(days=3)
    window = {
        **NEW,
        "publish_at": start.isoformat(),
        "expire_at": (start - timedelta(hours=1)).isoformat(),
    }
    body = problem_of(member.post("/api/v1/content", json=window), 422)
    assert body["errors"] == {"expire_at": ["The share window must end after it starts."]}
    assert member.get("/api/v1/content?mine=true").get_json()["meta"]["total"] == 0


def test_sharing_refusals(api, org):
    member = api(org["member"])
    live = ContentFactory()
    problem_of(member.post(f"/api/v1/content/{live.id}/shares", json={"network": "myspace"}), 422)
    internal = ContentFactory(kind="announcement", internal_only=True)
    body = problem_of(
        member.post(f"/api/v1/content/{internal.id}/shares", json={"network": "x"}), 409
    )
    assert "employees only" in body["detail"]
    body = problem_of(
        member.post(f"/api/v1/content/{live.id}/shares", json={"network": "x", "caption": "Mine"}),
        422,
    )
    assert "cannot be edited" in body["errors"]["caption"][0]
    hidden = target(ContentFactory(), teams=[org["other_team"]])
    problem_of(member.post(f"/api/v1/content/{hidden.id}/shares", json={"network": "x"}), 404)


def test_policy_publish_and_acknowledge(api, org):
    admin, member = api(org["admin"]), api(org["member"])
    problem_of(member.get("/api/v1/policy"), 404)
    published = admin.put("/api/v1/policy", json={"title": "Policy", "body": "Be kind."})
    assert published.get_json()["version"] == 1
    live = ContentFactory()
    body = problem_of(member.post(f"/api/v1/content/{live.id}/shares", json={"network": "x"}), 409)
    assert "version 1" in body["detail"]
    assert member.get("/api/v1/policy").get_json()["acknowledged"] is False
    problem_of(member.post("/api/v1/policy/acknowledgement", json={"version": 2}), 409)
    ack = member.post("/api/v1/policy/acknowledgement", json={"version": 1})
    assert ack.get_json()["acknowledged"] is True
    assert (
        member.post(f"/api/v1/content/{live.id}/shares", json={"network": "x"}).status_code == 201
    )
    problem_of(admin.put("/api/v1/policy", json={"title": "", "body": ""}), 422)


def test_sources_api(api, org):
    admin = api(org["admin"])
    created = admin.post(
        "/api/v1/sources", json={"name": "Blog", "url": "https://blog.acme.example/rss"}
    )
    assert created.status_code == 201 and created.get_json()["last_error"] == ""
    problem_of(
        admin.post(
            "/api/v1/sources", json={"name": "Blog", "url": "https://blog.acme.example/rss"}
        ),
        409,
    )
    body = problem_of(
        admin.post("/api/v1/sources", json={"name": "X", "url": "file:///etc/passwd"}), 422
    )
    assert "url" in body["errors"]
    listed = admin.get("/api/v1/sources").get_json()
    assert [s["name"] for s in listed["items"]] == ["Blog"]


def test_feed_cursor_pages_and_bad_cursor(api, org):
    member = api(org["member"])
    made = [ContentFactory(publish_at=utcnow() - timedelta(minutes=i)) for i in range(5)]
    first = member.get("/api/v1/feed?per_page=2").get_json()
    second = member.get(f"/api/v1/feed?per_page=2&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == [c.id for c in made[:4]]
    problem_of(member.get("/api/v1/feed?cursor=nope"), 422)
    problem_of(member.get("/api/v1/feed?per_page=500"), 422)


def test_content_list_is_permission_aware(api, org):
    ContentFactory(state="draft", title="Someone's draft")
    live = ContentFactory(title="Live")
    mine = ContentFactory(state="draft", author_id=org["member"].id)
    titles = {i["id"] for i in api(org["member"]).get("/api/v1/content").get_json()["items"]}
    assert titles == {live.id, mine.id}
    assert api(org["curator"]).get("/api/v1/content?state=draft").get_json()["meta"]["total"] == 2


def test_the_feed_takes_up_to_100_per_page_like_every_list(api, org):
    """README: lists take `per_page` up to 100; the feed refused 100 with a 422."""
    client = api(org["member"])
    assert client.get("/api/v1/feed?per_page=100").status_code == 200
    problem_of(client.get("/api/v1/feed?per_page=101"), 422)
