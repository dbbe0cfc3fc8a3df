"""The bridge's part of `flask seed-demo`: a few approved feed items already discussed in the
Company news space, and a post of the Engineering team's (private) space proposed as content. It
waits in the review queue with its link back, which the curator, who is not in Engineering,
cannot open: what she reviews is what the proposer wrote.

Like the discussions demo, rows are written directly (past timestamps, no e-mail, no job), with
the feed's own functions for the content.
"""

from __future__ import annotations

import random
from datetime import timedelta

from advocacy.demo import ADMIN_EMAIL, DemoOrganisation
from advocacy.discussions import spaces
from advocacy.discussions.bridge import service
from advocacy.discussions.bridge.models import ContentDiscussion, ContentProposal
from advocacy.discussions.demo import DemoWriter
from advocacy.extensions import db
from advocacy.feeds import feed
from advocacy.feeds.content import create_content, record_event
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import ContentState
from advocacy.models_base import utcnow

DISCUSSED_ITEMS = 4
COMMENTS = [
    "Great news, congratulations to everyone involved!",
    "Shared it on LinkedIn this morning, already a few comments from customers 🚀",
    "Does this change anything for us in the {office} office?",
    "Proud to be part of this team.",
    "Customers will ask about this: is there an FAQ we can point them to?",
    "Thanks for the summary, that's exactly what I needed for my 1:1s.",
]
OFFICES = ["Vancouver", "London", "Singapore"]
PROPOSED_FROM = "kenji.sato@acme.example"
PROPOSER = "ben.carter@acme.example"


def seed_bridge(demo: DemoOrganisation) -> None:
    """Discussion threads for a few approved items, and one post proposed as content."""
    rng = random.Random(20260327)  # noqa: S311 - demo text, not security
    now = utcnow()
    writer = DemoWriter(rng, now)
    people = list(demo.people.values())
    discussed = _discuss_content(demo, writer, rng, people, now)
    _propose_a_post(demo, writer)
    db.session.commit()
    demo.echo(
        f"{discussed} feed items discussed in {service.content_space_name()}; one post of the "
        "Engineering space proposed as content."
    )


def _discuss_content(demo, writer: DemoWriter, rng, people, now) -> int:
    """Threads in the content space about approved items for everyone, published a day ago or
    more (so colleagues in every office had a working day to reply)."""
    space = service.content_space()
    admin = demo.people[ADMIN_EMAIL]
    candidates = [
        item
        for item in feed.feed_page(admin, limit=50).items
        if service.discussion_refusal(item) is None and item.publish_at < now - timedelta(days=1)
    ]
    discussed = 0
    for item in candidates:
        if discussed == DISCUSSED_ITEMS:
            break
        opener = rng.choice(people)
        when = writer.moment(opener, item.publish_at)
        if when is None:
            continue
        thread, _ = writer.thread(
            space,
            opener,
            item.title,
            service.opening_text(item),
            tags=[service.DISCUSSION_TAG],
            when=when,
        )
        thread.link_kind, thread.link_id = "content", item.id
        db.session.add(ContentDiscussion(content_id=item.id, thread_id=thread.id, created_at=when))
        for _ in range(rng.randint(1, 4)):
            comment = rng.choice(COMMENTS).format(office=rng.choice(OFFICES))
            writer.reply(thread, rng.choice(people), comment)
        discussed += 1
    return discussed


def _propose_a_post(demo, writer: DemoWriter) -> None:
    """Kenji's news in the Engineering space; Ben proposes it for the feed in his own words."""
    engineering = spaces.ensure_team_space(demo.teams["Engineering"])
    kenji, ben = demo.people[PROPOSED_FROM], demo.people[PROPOSER]
    thread, opening = writer.thread(
        engineering,
        kenji,
        "My PyCon APAC talk on offline-first dashboards is online",
        "The recording is up on our blog: "
        "https://www.acme.example/blog/pycon-apac-offline-first-dashboards\n\n"
        "Thanks to everyone who sat through the rehearsals, and to the SRE folks for the demo.",
    )
    writer.reply(thread, ben, "This deserves to go outside! I'm proposing it for the feed.")
    item = create_content(
        ContentInput(
            title="Watch: how we built offline-first dashboards (PyCon APAC talk)",
            kind="link",
            destination_url="https://www.acme.example/blog/pycon-apac-offline-first-dashboards",
            summary="Kenji from our Singapore engineering team spoke at PyCon APAC about how "
            "Acme dashboards keep working without a connection. The recording and slides are "
            "on our blog.",
        ),
        ben,
        commit=False,
    )
    item.state = ContentState.SUBMITTED.value
    record_event(item, "submit", ben, ContentState.DRAFT.value)
    db.session.add(ContentProposal(post_id=opening.id, content=item, proposer_id=ben.id))
