"""One small seeded organisation for the security walks: people in every role and relation, and
for each kind of id in a URL a row whose access is interesting (a secret space's thread, someone
else's draft, token, notification...). Built once per module through the real services."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from advocacy.accounts.sessions import active_sessions, start_session
from advocacy.accounts.teams import add_team_member, create_team
from advocacy.accounts.tokens import create_api_token, password_reset_token
from advocacy.background.service import create_job_run
from advocacy.discussions import moderation, threads
from advocacy.discussions.models import SpaceRole
from advocacy.extensions import db
from advocacy.feeds.compliance import add_blocked_terms, publish_policy
from advocacy.feeds.models import Source, Topic
from advocacy.feeds.sharing import get_or_create_link
from advocacy.leaderboard.points import visibility
from advocacy.leaderboard.points.ledger import adjust_points
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.tracking import visitor_key
from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription
from tests.discussions.factories import add_member, make_space
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory, target

# Who walks: signed out, and one person per role or relation to the seeded rows.
#   owner     member of team Alpha; owns the secret space, its thread, a draft, a token, a
#             tracked link with clicks (reach and points) and is hidden on leaderboards
#   insider   member of team Alpha and of the secret space (reads it; owns none of it)
#   leader    leads team Alpha; not in the secret space
#   outsider  member of team Bravo only: "a member of another team/space"
#   curator, admin
ROLES = ("anonymous", "outsider", "insider", "owner", "leader", "curator", "admin")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}


@dataclass
class Org:
    """The people (by role), their API tokens, and the ids that fill URL variables."""

    people: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def seed_org() -> Org:
    """Build the organisation; returns ids only, so nothing depends on a live session."""
    org = Org()
    people = {
        role: UserFactory(
            display_name=f"{role.title()} Person",
            email=f"{role}@walk.example",
            role={"curator": "curator", "admin": "admin"}.get(role, "member"),
        )
        for role in ROLES[1:]
    }
    alpha, bravo = create_team("Alpha"), create_team("Bravo")
    for role in ("owner", "insider"):
        add_team_member(alpha, people[role])
    add_team_member(alpha, people["leader"], leader=True)
    add_team_member(bravo, people["outsider"])

    secret = make_space(people["owner"], "secret", name="Skunkworks")
    add_member(secret, people["insider"])
    secret_thread = threads.start_thread(
        people["owner"], secret, "Secret plans?", "Nobody else may read this.", kind="question"
    )
    announcement = threads.start_thread(
        people["owner"], secret, "Secret news", "Read and acknowledge.", kind="announcement"
    )
    reply = threads.reply(people["insider"], secret_thread, "A reply that notifies the owner")
    flag = moderation.flag_post(people["insider"], reply, "spam")
    public = make_space(people["admin"], "public", name="Town hall")
    add_member(public, people["owner"], SpaceRole.MEMBER.value)

    draft = ContentFactory(state="draft", author_id=people["owner"].id, title="Owner's draft")
    live = ContentFactory(title="Live news for everyone")
    team_item = target(ContentFactory(state="submitted", title="For Alpha only"), teams=[alpha])
    token, secret_token = create_api_token(people["owner"], "walk")
    run = create_job_run("walk", people["owner"].id, {})
    start_session(people["owner"], False, "192.0.2.1", "Walking browser")
    owner_session = active_sessions(people["owner"])[0]
    term = add_blocked_terms("forbidden", people["admin"])[0]
    publish_policy("Social media policy", "Be kind.", people["admin"])
    source = Source(name="Walk feed", url="https://feeds.invalid/rss", created_by_id=None)
    topic = Topic(name="Walking", slug="walking")
    db.session.add_all([source, topic])
    db.session.commit()
    link = _clicked_link(people["owner"], live)
    visibility.set_visibility(people["owner"], "hidden")
    for role in ("insider", "leader", "curator", "outsider"):  # five ranked: anonymity holds
        adjust_points(people[role], 1, "Walked the walk", people["admin"])
    subscription, _ = create_subscription(
        SubscriptionInput("Walk CRM", "https://hooks.invalid/walk", events=["content.published"]),
        people["admin"],
    )

    org.people = {role: person.id for role, person in people.items()}
    org.tokens = {role: create_api_token(person, "walk")[1] for role, person in people.items()}
    org.ids = {
        "user_id": people["owner"].id,
        "team_id": alpha.id,
        "space_id": secret.id,
        "thread_id": secret_thread.id,
        "announcement_id": announcement.id,
        "post_id": reply.id,
        "flag_id": flag.id,
        "content_id": draft.id,
        "live_content_id": live.id,
        "team_content_id": team_item.id,
        "public_space_id": public.id,
        "token_id": token.id,
        "session_id": owner_session.id,
        "run_id": run.id,
        "term_id": term.id,
        "source_id": source.id,
        "subscription_id": subscription.id,
        "link_code": link.code,
        "slug": topic.slug,
        "owner_api_token": secret_token,
        "reset_token": password_reset_token(people["owner"]),
    }
    return org


def _clicked_link(sharer, content):
    """The sharer's tracked link on `content`, with human clicks ingested for real: reach rows
    and points that belong to the sharer only."""
    link = get_or_create_link(sharer, content, "linkedin")
    now = time.time()
    ingest_batch(
        [
            Hit(
                f"walk{n:028d}",
                link.id,
                now + n,
                "human",
                visitor_key(b"w", f"10.9.0.{n}", "ua"),
                "",
            )
            for n in range(3)
        ]
    )
    db.session.commit()
    return link
