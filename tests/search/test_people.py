"""People are searchable by name, job, department, place and team; deactivated people are not;
only changes that alter a person's document reindex it."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.service import deactivate_user, reactivate_user
from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.search.documents import registry
from advocacy.search.extension import current_backend
from advocacy.search.models import SearchPendingChange
from advocacy.search.people import person_document
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.search.conftest import ANYONE, find, keys


def people(text: str) -> list[str]:
    return keys(find(current_backend(), text, ANYONE))


def test_people_are_found_by_what_they_do_and_where(search_index, run_jobs):
    ava = UserFactory(
        display_name="Ava Singh",
        job_title="Senior Software Engineer",
        department="Engineering",
        location="Vancouver, Canada",
    )
    MembershipFactory(user=ava, team=TeamFactory(name="Platform"))
    run_jobs()
    me = f"person:{ava.id}"
    for text in ("ava", "singh", "software engineers", "vancouver", "tag:platform", "type:person"):
        assert me in people(text), text
    [hit] = find(current_backend(), "ava", ANYONE).hits
    assert hit.url == f"/search/people/{ava.id}" and hit.tags == ("Platform",)


def test_deactivated_people_disappear_and_come_back(search_index, run_jobs, admin):
    zara = UserFactory(display_name="Zara Ahmed")
    run_jobs()
    assert people("zara") == [f"person:{zara.id}"]
    deactivate_user(zara, admin)
    run_jobs()
    assert people("zara") == []
    assert person_document(zara) is None
    reactivate_user(zara)
    run_jobs()
    assert people("zara") == [f"person:{zara.id}"]


def test_team_changes_reach_the_members_documents(search_index, run_jobs):
    team = TeamFactory(name="Growth")
    member = MembershipFactory(team=team, user=UserFactory(display_name="Jordan Lee")).user
    run_jobs()
    assert people("tag:growth") == [f"person:{member.id}"]
    team.name = "Acquisition"
    db.session.commit()
    run_jobs()
    assert people("tag:growth") == [] and people("tag:acquisition") == [f"person:{member.id}"]
    db.session.delete(member.memberships[0])
    db.session.commit()
    run_jobs()
    assert people("tag:acquisition") == []


def test_a_sign_in_does_not_reindex_the_person(search_index, run_jobs):
    user = UserFactory(display_name="Noah Tremblay")
    run_jobs()
    user.last_login_at = utcnow()
    db.session.commit()
    assert db.session.scalar(select(SearchPendingChange)) is None


def test_rebuilding_reads_every_person(search_index):
    UserFactory.create_batch(3)
    total, documents = 0, []
    for rows, batch in registry().iter_rows_and_documents():
        total += rows
        documents += batch
    assert total == 3 and sorted(d.type for d in documents) == ["person"] * 3


def test_the_demo_organisation_is_searchable(app, search_index, run_jobs):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    run_jobs()
    [hit] = find(current_backend(), "priya content lead", ANYONE).hits
    assert hit.title == "Priya Nair"
    assert len(people("tag:engineering")) >= 10
