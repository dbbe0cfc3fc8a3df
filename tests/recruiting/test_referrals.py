"""Referral attribution end to end: a tracked job link, a click through the real redirect and
ingest, the application reported as a conversion, stage reports (repeated, late, final,
corrected), points for the hire, webhook events, the HR funnel and the API."""

from __future__ import annotations

import io
import json
import zipfile

from advocacy.extensions import db
from advocacy.feeds import sharing
from advocacy.leaderboard.points import ledger
from advocacy.privacy.service import export_archive
from advocacy.recruiting import reports
from advocacy.recruiting.models import Referral
from advocacy.recruiting.signals import referral_stage_changed
from tests.openapi_validation import problem_of


def test_a_click_on_a_job_link_becomes_an_application_then_a_hire(
    app, referrer, opening, visit, ingest, signed, api, admin, validated_responses
):
    shared = sharing.share_content(referrer, opening, "linkedin")
    code = shared.tracked_url.rsplit("/", 1)[-1]
    assert visit(code, ip="198.51.100.4").status_code == 302
    assert ingest() == 1

    events = []
    with referral_stage_changed.connected_to(lambda sender, data: events.append(data)):
        applied = signed(
            "/api/v1/conversions", {"ref": code, "type": "application", "external_id": "ats-1"}
        )
        assert applied.status_code == 201, applied.get_data(as_text=True)
        stages = [
            signed("/api/v1/referrals/stage", {"external_id": "ats-1", "stage": stage})
            for stage in ("interviewed", "interviewed", "hired", "offered", "rejected")
        ]
    assert [r.status_code for r in stages] == [200] * 5
    assert [r.json["changed"] for r in stages] == [True, False, True, False, False]
    assert "already" in stages[1].json["note"] and "final" in stages[4].json["note"]
    assert [(e["from_stage"], e["to_stage"]) for e in events] == [
        (None, "applied"),
        ("applied", "interviewed"),
        ("interviewed", "hired"),
    ]
    assert events[-1]["employee"] == {"id": referrer.id, "name": "Rita Referrer"}

    referral = db.session.scalar(db.select(Referral))
    assert (referral.stage, referral.user_id, referral.content_id) == (
        "hired",
        referrer.id,
        opening.id,
    )
    earned = {entry.action: entry.points for entry in ledger.points_history(referrer)}
    assert earned["hire"] == 50 and earned["conversion"] == 20

    funnel = reports.funnel(admin, "opening")
    assert [(r.label, r.clicks, r.applications, r.hires) for r in funnel.rows] == [
        ("Backend engineer", 1, 1, 1)
    ]
    listed = api(admin).get("/api/v1/referrals").get_json()
    assert [(i["external_id"], i["stage"], i["employee_name"]) for i in listed["items"]] == [
        ("ats-1", "hired", "Rita Referrer")
    ]
    with zipfile.ZipFile(io.BytesIO(export_archive(referrer))) as archive:
        exported = json.loads(archive.read("referrals.json"))
    assert [(r["opening"], r["stage"]) for r in exported["referrals"]] == [
        ("Backend engineer", "hired")
    ]


def test_a_correction_moves_a_final_stage_and_takes_back_the_hire_points(
    app, referrer, opening, signed, validated_responses
):
    link = sharing.get_or_create_link(referrer, opening, "x")
    signed("/api/v1/conversions", {"ref": link.code, "type": "application", "external_id": "a2"})

    def report(**payload):
        answer = signed("/api/v1/referrals/stage", {"external_id": "a2", **payload})
        assert answer.status_code == 200 and answer.json["changed"] is True, answer.json

    def hire_points():
        return [
            (e.action, e.points)
            for e in reversed(ledger.points_history(referrer))
            if e.action == "hire" or "referral a2" in e.reason
        ]

    report(stage="hired")
    assert hire_points() == [("hire", 50)]
    report(stage="rejected", correct=True)
    assert hire_points() == [("hire", 50), ("adjustment", -50)]
    taken_back = ledger.points_history(referrer)[0]
    assert "corrected to rejected by the applicant-tracking system" in taken_back.reason
    assert (taken_back.network, taken_back.content_id) == ("x", opening.id)
    report(stage="hired", correct=True)
    report(stage="offered", correct=True)
    report(stage="hired")
    assert hire_points() == [
        ("hire", 50),
        ("adjustment", -50),
        ("hire", 50),
        ("adjustment", -50),
        ("hire", 50),
    ]
    assert sum(earned for _, earned in hire_points()) == 50


def test_a_stage_report_before_the_application_needs_the_tracked_code(
    app, referrer, opening, signed, validated_responses
):
    unknown = signed("/api/v1/referrals/stage", {"external_id": "late-1", "stage": "interviewed"})
    assert "report the application" in problem_of(unknown, 404)["detail"]
    link = sharing.get_or_create_link(referrer, opening, "linkedin")
    opened = signed(
        "/api/v1/referrals/stage",
        {"external_id": "late-1", "stage": "interviewed", "ref": link.code},
    )
    assert opened.status_code == 200 and opened.json["referral"]["stage"] == "interviewed"
    # The application report arriving afterwards is a duplicate: nothing moves back.
    again = signed(
        "/api/v1/conversions", {"ref": link.code, "type": "application", "external_id": "late-1"}
    )
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert db.session.scalar(db.select(Referral.stage)) == "interviewed"


def test_bad_stage_reports_are_refused_and_change_nothing(app, signed, client):
    bad = signed("/api/v1/referrals/stage", {"external_id": "x", "stage": "promoted"})
    assert "stage" in problem_of(bad, 422)["errors"]
    unsigned = client.post("/api/v1/referrals/stage", json={"external_id": "x", "stage": "hired"})
    assert unsigned.status_code == 401
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0
