"""Search over the real rows, on both backends: threads, replies, spaces and content indexed by
their features' own services, found only by those who may read them (in results, counts,
snippets, `in:`, `@` and suggestions), and changes reaching the index after the job runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.discussions import qa, spaces, threads
from advocacy.discussions.models import Space, Thread, ThreadKind
from advocacy.discussions.moderation import flag_post, resolve_flag
from advocacy.extensions import db
from advocacy.feeds import workflow
from advocacy.models_base import utcnow
from advocacy.search import service
from advocacy.search.models import SearchPendingChange
from tests.discussions.factories import add_member, make_space, make_thread, space_owner
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, caption, tag, target


@dataclass
class World:
    outsider: object
    member: object
    curator: object
    public: Space
    private: Space
    secret: Space
    public_thread: Thread
    private_thread: Thread
    secret_thread: Thread
    public_reply: object
    secret_reply: object


@pytest.fixture
def world(search_app, run_search_jobs) -> World:
    """Three spaces (public, private, secret) with a thread and a reply each holding "zephyr"; the
    secret thread mentions the outsider and holds a word found nowhere else ("quetzalcoatl")."""
    owner = UserFactory(display_name="Olive Owner")
    outsider = UserFactory(display_name="Oscar Outsider")
    member = UserFactory(display_name="Mina Member")
    curator = UserFactory(display_name="Cora Curator", role="curator")
    public = make_space(owner, "public", "Town Square")
    private = make_space(owner, "private", "Leadership Circle")
    secret = spaces.create_space(owner, "Project Falcon", "Codename work", "secret")
    for space in (private, secret):
        add_member(space, member)
    public_thread = make_thread(public, owner, "Zephyr rollout plan", "The zephyr rollout starts.")
    private_thread = make_thread(private, owner, "Budget", "Zephyr budget for leaders only.")
    secret_thread = make_thread(
        secret,
        owner,
        "Falcon launch",
        "Zephyr launch date is quetzalcoatl day, @oscar-outsider must not know.",
        tags=["launch"],
    )
    public_reply = threads.reply(member, public_thread, "Zephyr works for my team, gladly.")
    secret_reply = threads.reply(member, secret_thread, "Zephyr secret reply with quetzalcoatl.")
    run_search_jobs()
    return World(
        outsider,
        member,
        curator,
        public,
        private,
        secret,
        public_thread,
        private_thread,
        secret_thread,
        public_reply,
        secret_reply,
    )


def found(user, text: str, **kwargs) -> list[str]:
    return [hit.key for hit in service.search(user, text, **kwargs).hits]


def test_readers_find_only_what_they_may_read(world):
    outsider, member = world.outsider, world.member
    public = {f"thread:{world.public_thread.id}", f"post:{world.public_reply.id}"}
    hidden = {
        f"thread:{world.private_thread.id}",
        f"thread:{world.secret_thread.id}",
        f"post:{world.secret_reply.id}",
    }

    outcome = service.search(outsider, "zephyr")
    assert {hit.key for hit in outcome.hits} == public and outcome.total == 2
    text = " ".join(f"{hit.title_html} {hit.snippet_html} {hit.space_name}" for hit in outcome.hits)
    assert "Falcon" not in text and "quetzalcoatl" not in text and "Budget" not in text
    assert set(found(member, "zephyr")) == public | hidden
    assert service.search(member, "zephyr").total == 5

    # a secret space's name resolves for nobody outside it; a private one's content neither
    for text in (
        "zephyr in:project-falcon",
        "zephyr #projectfalcon",
        "zephyr in:leadership-circle",
    ):
        assert found(outsider, text) == [], text
    assert found(member, "in:project-falcon type:thread") == [f"thread:{world.secret_thread.id}"]
    # the outsider's @mention in the secret thread, its tag and its author filter: nothing
    for text in ("oscar outsider", "tag:launch", "@olive", "from:olive zephyr", "launch"):
        assert not hidden & set(found(outsider, text)), text
    # no suggestion from words only the secret space holds
    outcome = service.search(outsider, "quetzalcoatal")
    assert outcome.total == 0 and outcome.did_you_mean is None
    assert outcome.showing_results_for is None
    assert service.search(member, "quetzalcoatal").showing_results_for == "quetzalcoatl"


def test_spaces_are_found_by_whoever_may_know_them(world):
    assert set(found(world.outsider, "type:space")) == {
        f"space:{world.private.id}",
        f"space:{world.public.id}",
    }
    assert found(world.outsider, "falcon codename") == []
    assert found(world.member, "codename") == [f"space:{world.secret.id}"]
    [hit] = service.search(world.outsider, "leadership circle", doc_type="space").hits
    assert hit.url == f"/discussions/spaces/{world.private.id}"


def test_replies_show_their_thread_and_title_words_find_the_thread(world):
    outcome = service.search(world.outsider, "gladly")
    [hit] = outcome.hits
    assert hit.key == f"post:{world.public_reply.id}" and hit.type == "post"
    assert hit.title == "Re: Zephyr rollout plan" and "<mark>" in str(hit.snippet_html)
    assert hit.url == f"/discussions/posts/{world.public_reply.id}"
    assert (hit.author_name, hit.space_name) == ("Mina Member", "Town Square")
    assert found(world.outsider, "rollout plan in:title") == [f"thread:{world.public_thread.id}"]
    assert found(world.outsider, "@mina") == [f"post:{world.public_reply.id}"]


def test_thread_states(world, run_search_jobs):
    space, asker = world.public, world.member
    open_question = make_thread(space, asker, "Printer help", "How?", kind=ThreadKind.QUESTION)
    solved = make_thread(space, asker, "Printer fixed", "How now?", kind=ThreadKind.QUESTION)
    answer = threads.reply(world.outsider, solved, "Turn the printer off and on.")
    qa.accept_answer(asker, solved, answer.id)
    closed = make_thread(space, asker, "Printer rules", "Read them.")
    threads.update_thread(space_owner(space), closed, closed=True)
    run_search_jobs()

    def states(status: str) -> set[str]:
        return set(found(asker, f"printer status:{status}"))

    assert states("unanswered") == {f"thread:{open_question.id}"}
    assert states("solved") == {f"thread:{solved.id}"}
    assert states("closed") == {f"thread:{closed.id}"}
    assert states("open") == {f"thread:{open_question.id}", f"thread:{solved.id}"}


def test_edits_deletes_moderation_and_privacy_reach_the_index(world, run_search_jobs):
    owner, outsider, member = space_owner(world.public), world.outsider, world.member
    reply_key = f"post:{world.public_reply.id}"
    threads.edit_post(member, world.public_reply, "Mistral works for my team now.")
    run_search_jobs()
    assert found(outsider, "gladly") == [] and found(outsider, "mistral") == [reply_key]

    flag = flag_post(outsider, world.public_reply, "Off topic")
    resolve_flag(owner, flag.id, "delete")
    run_search_jobs()
    assert found(outsider, "mistral") == []

    threads.delete_thread(owner, world.public_thread)
    run_search_jobs()
    assert found(outsider, "zephyr") == []

    # a public space made private: its threads leave the outsider's results at once
    world.secret.visibility = "public"
    db.session.commit()
    run_search_jobs()
    assert f"thread:{world.secret_thread.id}" in found(outsider, "quetzalcoatl")
    assert found(outsider, "codename") == [f"space:{world.secret.id}"]
    world.secret.visibility = "secret"
    db.session.commit()
    run_search_jobs()
    assert found(outsider, "quetzalcoatl") == [] and found(outsider, "codename") == []


def test_a_rolled_back_thread_is_never_indexed(world, run_search_jobs):
    pending = db.session.scalar(select(func.count()).select_from(SearchPendingChange))
    thread = Thread(space_id=world.public.id, title="Ghostly thread", author_id=world.member.id)
    db.session.add(thread)
    db.session.flush()
    db.session.rollback()
    run_search_jobs()
    assert db.session.scalar(select(func.count()).select_from(SearchPendingChange)) == pending
    assert found(world.member, "ghostly") == []


def test_content_is_found_by_those_the_feed_shows_it_to(world, run_search_jobs):
    team = TeamFactory(name="Nebula")
    MembershipFactory(team=team, user=world.member)
    everyone = tag(caption(ContentFactory(title="Orchid campaign"), "linkedin", "Orchid!"), "Brand")
    for_team = target(ContentFactory(title="Orchid for the team"), teams=[team])
    draft = ContentFactory(title="Orchid draft", state="draft")
    expired = ContentFactory(
        title="Orchid old",
        publish_at=utcnow() - timedelta(days=9),
        expire_at=utcnow() - timedelta(days=1),
    )
    future = ContentFactory(title="Orchid soon", publish_at=utcnow() + timedelta(days=2))
    run_search_jobs()

    key = "content:{}".format
    assert set(found(world.outsider, "orchid")) == {key(everyone.id)}
    assert set(found(world.member, "orchid")) == {key(everyone.id), key(for_team.id)}
    assert set(found(world.curator, "orchid")) == {key(everyone.id), key(for_team.id)}
    assert found(world.outsider, "tag:brand") == [key(everyone.id)]
    assert {draft.id, expired.id, future.id}.isdisjoint(
        int(k.split(":")[1]) for k in found(world.curator, "orchid")
    )

    workflow.transition(everyone, "archive", world.curator, "")
    run_search_jobs()
    assert found(world.outsider, "orchid") == []
