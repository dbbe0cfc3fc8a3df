"""Digests at each person's local hour, across Vancouver, London and Singapore and a DST change,
sent once, skipped for people who were here, with only what they may read, over real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from advocacy.discussions.models import MemberProfile
from advocacy.discussions.notifications import digests, preferences
from advocacy.discussions.notifications.models import DigestRun
from advocacy.extensions import db
from tests.discussions.factories import make_space, make_thread
from tests.factories import UserFactory

ZONES = {
    "vancouver": "America/Vancouver",
    "london": "Europe/London",
    "singapore": "Asia/Singapore",
}


@pytest.fixture
def app(smtp_app):
    """Digests go through real SMTP."""
    return smtp_app


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def readers(app):
    """One reader per office, with digests at the default 08:00 local, scheduled on 27 March
    after Vancouver's morning (16:00 UTC)."""
    people = {
        city: UserFactory(display_name=city.title(), email=f"{city}@example.com", timezone=zone)
        for city, zone in ZONES.items()
    }
    with time_machine.travel(at(2026, 3, 27, 16, 0), tick=False):
        digests.queue_due_digests()
    return people


def due_times() -> dict[int, datetime]:
    return {p.user_id: p.next_digest_at for p in db.session.scalars(select(MemberProfile))}


def test_the_next_digest_is_at_08_00_local_in_each_zone_across_dst(app):
    profile = MemberProfile(digest="daily", digest_hour=8, digest_weekday=0)
    london = [
        preferences.next_digest_due(profile, "Europe/London", at(2026, 3, day, 9))
        for day in (27, 28, 29)
    ]
    # Britain moves to BST on 29 March 2026: 08:00 local is 08:00 UTC, then 07:00 UTC.
    assert london == [at(2026, 3, 28, 8), at(2026, 3, 29, 7), at(2026, 3, 30, 7)]
    vancouver = [
        preferences.next_digest_due(profile, "America/Vancouver", at(2026, 3, day, 17))
        for day in (6, 7, 8)
    ]
    # Vancouver moves to PDT on 8 March 2026: 16:00 UTC, then 15:00 UTC.
    assert vancouver == [at(2026, 3, 7, 16), at(2026, 3, 8, 15), at(2026, 3, 9, 15)]
    singapore = preferences.next_digest_due(profile, "Asia/Singapore", at(2026, 3, 28, 1))
    assert singapore == at(2026, 3, 29, 0)
    autumn = [
        preferences.next_digest_due(profile, "Europe/London", at(2026, 10, day, 9))
        for day in (24, 25)
    ]
    assert autumn == [at(2026, 10, 25, 8), at(2026, 10, 26, 8)]  # back to GMT on 25 October


def test_weekly_digests_and_quiet_hours(app):
    weekly = MemberProfile(digest="weekly", digest_hour=9, digest_weekday=4)  # Friday 09:00
    assert preferences.next_digest_due(weekly, "Asia/Singapore", at(2026, 3, 23, 0)) == at(
        2026, 3, 27, 1
    )
    quiet = MemberProfile(digest="daily", digest_hour=6, quiet_start=time(22), quiet_end=time(7))
    assert preferences.next_digest_due(quiet, "Europe/London", at(2026, 6, 1, 12)) == at(
        2026, 6, 2, 6
    )
    off = MemberProfile(digest="off", digest_hour=8)
    assert preferences.next_digest_due(off, "Europe/London", at(2026, 6, 1, 12)) is None


def test_each_city_gets_its_digest_when_its_morning_comes(readers, smtp_inbox, run_jobs):
    author = UserFactory(display_name="Author", timezone="Europe/London")
    space = make_space(author, name="Ask Anything")
    with time_machine.travel(at(2026, 3, 27, 16, 30), tick=False):
        make_thread(space, author, "Where is the parking form?", "Anyone?", kind="question")
        make_thread(space, author, "Quarterly all-hands", "Slides inside")
    assert due_times()[readers["singapore"].id] == at(2026, 3, 28, 0)
    steps = [
        (at(2026, 3, 28, 0, 5), ["singapore"]),  # 08:05 in Singapore
        (at(2026, 3, 28, 8, 5), ["singapore", "london"]),  # 08:05 in London (GMT)
        (at(2026, 3, 28, 15, 5), ["singapore", "london", "vancouver"]),  # 08:05 PDT
    ]
    for instant, cities in steps:
        with time_machine.travel(instant, tick=False):
            digests.queue_due_digests()
            run_jobs()
        assert sorted(m["To"] for m in smtp_inbox.messages) == sorted(
            f"{c}@example.com" for c in cities
        )
    [london] = smtp_inbox.to("london@example.com")
    body = london.get_content()
    assert "Where is the parking form?" in body and "Quarterly all-hands" in body
    assert "Questions waiting for an answer" not in body or "parking" in body
    assert "since Friday 27 March, 08:00 (your time)" in body
    # After the clocks change on the 29th, London's next digest comes at 07:00 UTC.
    assert due_times()[readers["london"].id] == at(2026, 3, 29, 7)


def test_a_digest_is_sent_once_however_often_the_job_runs(readers, smtp_inbox, run_jobs):
    author = UserFactory()
    with time_machine.travel(at(2026, 3, 27, 20, 0), tick=False):
        make_thread(make_space(author), author, "News")
    singapore = readers["singapore"]
    due = due_times()[singapore.id]
    with time_machine.travel(at(2026, 3, 28, 0, 10), tick=False):
        digests.queue_due_digests()
        digests.queue_due_digests()
        run_jobs()
        assert digests.deliver_digest(singapore.id, due) == "stale"  # a retried job
        run_jobs()
    assert len(smtp_inbox.to(singapore.email)) == 1
    assert [r.outcome for r in digests.digest_runs(singapore)] == ["sent"]


def test_a_duplicate_job_for_the_same_due_time_sends_nothing(readers, smtp_inbox):
    author = UserFactory()
    with time_machine.travel(at(2026, 3, 27, 20, 0), tick=False):
        make_thread(make_space(author), author, "News")
    london = readers["london"]
    due = due_times()[london.id]
    db.session.add(DigestRun(user_id=london.id, due_at=due, outcome="sent"))
    db.session.commit()
    with time_machine.travel(at(2026, 3, 28, 8, 10), tick=False):
        assert digests.deliver_digest(london.id, due) == "duplicate"
    assert smtp_inbox.to(london.email) == []


def test_people_active_since_their_last_digest_are_skipped(readers, smtp_inbox, run_jobs, login_as):
    author = UserFactory()
    with time_machine.travel(at(2026, 3, 27, 20, 0), tick=False):
        make_thread(make_space(author), author, "News")
        login_as(readers["london"]).get("/discussions/")  # London was here in the evening
    with time_machine.travel(at(2026, 3, 28, 8, 10), tick=False):
        digests.queue_due_digests()
        run_jobs()
    assert smtp_inbox.to("london@example.com") == []
    assert [r.outcome for r in digests.digest_runs(readers["london"])] == ["skipped"]
    assert due_times()[readers["london"].id] == at(2026, 3, 29, 7)


def test_digests_contain_only_what_the_reader_may_see(readers, smtp_inbox, run_jobs):
    author = UserFactory()
    with time_machine.travel(at(2026, 3, 27, 20, 0), tick=False):
        make_thread(make_space(author, name="Open"), author, "Open news")
        make_thread(make_space(author, "secret", name="Board"), author, "Acquisition talks")
        make_thread(make_space(author, "private", name="Leads"), author, "Private plans")
    with time_machine.travel(at(2026, 3, 28, 0, 10), tick=False):
        digests.queue_due_digests()
        run_jobs()
    body = smtp_inbox.to("singapore@example.com")[0].get_content()
    assert "Open news" in body
    assert "Acquisition" not in body and "Board" not in body and "Private plans" not in body


def test_nothing_new_means_no_digest(readers, smtp_inbox, run_jobs):
    with time_machine.travel(at(2026, 3, 28, 0, 10), tick=False):
        digests.queue_due_digests()
        run_jobs()
    assert smtp_inbox.messages == []
    assert [r.outcome for r in digests.digest_runs(readers["singapore"])] == ["empty"]


def test_a_failed_send_is_retried_later(make_app, smtp_inbox):
    broken = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with broken.app_context():
        reader = UserFactory(timezone="Asia/Singapore")
        author = UserFactory()
        with time_machine.travel(at(2026, 3, 27, 12, 0), tick=False):
            digests.queue_due_digests()
            make_thread(make_space(author), author, "News")
        due = db.session.get(MemberProfile, reader.id).next_digest_at
        with time_machine.travel(at(2026, 3, 28, 0, 10), tick=False), pytest.raises(OSError):
            digests.deliver_digest(reader.id, due)
        assert digests.digest_runs(reader) == []
        assert db.session.get(MemberProfile, reader.id).next_digest_at == due


def test_moving_to_another_zone_reschedules(readers):
    london = readers["london"]
    london.timezone = "Asia/Singapore"
    db.session.commit()
    with time_machine.travel(at(2026, 3, 27, 16, 30), tick=False):
        digests.queue_due_digests()
    assert due_times()[london.id] == at(2026, 3, 28, 0)
