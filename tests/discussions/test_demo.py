"""The discussions part of `flask seed-demo`: every kind of space, hundreds of posts written in
working hours across the three offices, and Q&A and announcements in every state."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from advocacy.accounts.service import find_user_by_email
from advocacy.demo import CURATOR_EMAIL
from advocacy.discussions.bridge.models import ContentDiscussion, ContentProposal
from advocacy.discussions.models import Acknowledgement, Post, Reaction, Space, Thread
from advocacy.discussions.notifications.models import Notification
from advocacy.extensions import db
from advocacy.search import service as search_service


def test_seed_demo_builds_lively_discussions(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "threads and" in result.output

    spaces = {s.name: s for s in db.session.scalars(select(Space))}
    assert {"Ask Anything", "HR Announcements", "People Leaders", "Project Falcon"} <= set(spaces)
    assert {"Marketing", "HR", "Engineering", "Sales"} <= set(spaces)  # one per team
    assert spaces["HR Announcements"].official
    assert (spaces["People Leaders"].visibility, spaces["Project Falcon"].visibility) == (
        "private",
        "secret",
    )
    posts = db.session.scalar(select(func.count()).select_from(Post))
    threads = list(db.session.scalars(select(Thread)))
    assert len(threads) >= 100 and posts >= 400

    hours = set()
    for post in db.session.scalars(select(Post)).all()[:200]:
        author = post.author
        local = post.created_at.astimezone(ZoneInfo(author.timezone)).time()
        assert author.working_hours_start <= local <= author.working_hours_end
        hours.add(post.created_at.hour)
    assert len(hours) >= 12  # the conversation goes round the clock, office by office

    questions = [t for t in threads if t.kind == "question"]
    assert any(t.accepted_post_id for t in questions)
    assert any(t.reply_count and not t.accepted_post_id for t in questions)
    assert any(not t.reply_count for t in questions)
    assert any(t.assignee_id for t in questions)
    announcements = [t for t in threads if t.kind == "announcement"]
    acknowledgements = db.session.scalar(select(func.count()).select_from(Acknowledgement))
    assert 0 < acknowledgements < len(announcements) * 38
    assert db.session.scalar(select(func.count()).select_from(Reaction)) > 50
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"mention", "reply", "assignment"} <= kinds
    assert any('class="mention"' in p.body_html for p in db.session.scalars(select(Post)))

    # The bridge to the feed: approved items already discussed, one post proposed as content.
    discussions = db.session.scalars(select(ContentDiscussion)).all()
    assert len(discussions) >= 3
    for discussion in discussions:
        thread = discussion.thread
        assert thread.space.name == "Company news" and thread.space.is_public
        assert (thread.link_kind, thread.link_id) == ("content", discussion.content_id)
    assert sum(d.thread.reply_count for d in discussions) > 0
    proposal = db.session.scalar(select(ContentProposal))
    assert proposal.content.state == "submitted"
    assert proposal.content.author_id == proposal.proposer_id
    assert proposal.post.thread.space.visibility == "private"

    # Search works at once (the seed ends by building the index) and keeps Project Falcon secret.
    assert "Search index built" in result.output
    crew, outsider = (find_user_by_email(e) for e in ("liam.obrien@acme.example", CURATOR_EMAIL))
    assert search_service.search(crew, "in:project-falcon type:thread").total > 0
    assert search_service.search(outsider, "in:project-falcon").total == 0
    assert search_service.search(outsider, "type:thread").total >= 80
    assert search_service.search(outsider, "type:content").total > 0
