"""Demo content for `flask seed-demo`: about sixty items across kinds, teams and states, the
sharing rules (disclosure, blocked terms, a policy), a sample source and some shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from advocacy.demo import ADMIN_EMAIL, CURATOR_EMAIL, DemoOrganisation
from advocacy.extensions import db
from advocacy.feeds import compliance, sharing
from advocacy.feeds.content import apply_values, record_event
from advocacy.feeds.demo_pictures import store_demo_picture
from advocacy.feeds.feed import matches_audience
from advocacy.feeds.models import Content, ContentState, Source
from advocacy.models_base import utcnow

DISCLOSURE = "#AcmeEmployee"
BLOCKED = "guaranteed returns\ninsider\nconfidential\nget rich quick"
POLICY = """Share what you are proud of, in your own voice.

1. Say you work at Acme: the #AcmeEmployee tag is added to every post for you.
2. Share only what is published here; never internal or confidential information.
3. Be kind, be accurate, and leave disagreements with customers to the support team.
4. Your tracked link tells us which stories travel; it never tells us who clicked."""


@dataclass(frozen=True)
class Story:
    """One demo item; `state` "scheduled" means approved with a future publish time."""

    title: str
    kind: str = "link"
    topics: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    state: str = "approved"
    languages: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    captions: dict[str, list[str]] = field(default_factory=dict)
    author: str = CURATOR_EMAIL
    note: str = ""


def _slug(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")[:60]


NEWS = [
    "Acme closes its Series C to expand in Asia-Pacific",
    "Acme named one of Europe's fastest-growing software companies",
    "Our 2026 sustainability report: 40% less energy per customer",
    "Acme and Northwind partner on supply-chain analytics",
    "Customer story: how Contoso cut reporting time in half with Acme",
    "Acme Cloud is now available in the Singapore region",
    "Webinar: five lessons from a year of AI in finance teams",
    "Acme's CTO on building products people trust",
    "Acme launches its open-source data connector kit",
    "Analyst report: Acme a leader in mid-market analytics",
    "Acme wins the Vancouver Tech Impact award",
    "Our new London office opens its doors",
    "Acme at Web Summit: meet us at stand B42",
    "Release notes: faster dashboards and offline mode",
    "Acme pledges 1% of engineering time to open source",
    "Acme joins the Climate Pledge",
    "Case study: Fabrikam's finance team closes the books in three days",
    "Acme Insights 2026: what 2,000 CFOs told us",
    "Acme opens a research lab with the University of British Columbia",
    "Our security certifications: ISO 27001 and SOC 2 Type II",
    "Acme's Q2 product keynote, in ten minutes",
    "Acme customers can now export to Parquet",
    "Acme recognised as a Great Place to Work in Singapore",
]
CULTURE = [
    "A day in the life of our Singapore support team",
    "Why we run hackathons every quarter",
    "Meet Ava, who went from intern to senior engineer",
    "How our HR team rebuilt onboarding around buddies",
    "Pride month at Acme: stories from our colleagues",
    "Volunteering day: 300 trees planted in Stanley Park",
    "What four-day weeks taught our marketing team",
    "Behind the scenes of our design system",
    "Mentoring across time zones: London meets Vancouver",
    "Our engineers' favourite books of the year",
    "Celebrating ten years of Acme with the people who built it",
    "Learning budgets: what our people learned this year",
    "Our parents' network on balancing work and family",
    "From the support desk to product management: Rachel's story",
    "How we run blameless post-mortems",
    "Inside our accessibility guild",
    "Run club: Acme at the London 10K",
    "What our new joiners say about their first month",
    "The story behind our office plants",
]
JOBS = [
    ("Senior Backend Engineer (Python)", ("Engineering",)),
    ("Site Reliability Engineer", ("Engineering",)),
    ("Product Designer", ("Engineering",)),
    ("Data Engineer, Singapore", ("Engineering",)),
    ("Account Executive, DACH", ("Sales",)),
    ("Sales Development Representative, Vancouver", ("Sales",)),
    ("Solutions Engineer, APAC", ("Sales",)),
    ("Content Marketing Manager", ("Marketing",)),
    ("Events Coordinator, London", ("Marketing",)),
    ("People Partner, Vancouver", ("HR",)),
    ("Talent Acquisition Specialist", ("HR",)),
    ("Security Engineer", ("Engineering",)),
]
ANNOUNCEMENTS = [
    "Office closed on 26 December",
    "New expense tool from 1 March",
    "All-hands on Thursday: Q3 results and roadmap",
    "Vancouver office: parking changes",
    "Singapore: welcome drinks for new joiners on Friday",
    "Reminder: security training due this month",
]


# What a curator writes under a title: what the reader gets from it, never the title again.
SUMMARIES = {
    "link": [
        "The numbers, the people behind them and what it means for our customers.",
        "A short read on what changed this quarter and where we go next.",
        "Our take, with quotes from the team that made it happen.",
        "What it is, who it helps, and how customers can try it today.",
        "Five minutes well spent: the highlights and a link to the full report.",
    ],
    "culture_story": [
        "A look behind the scenes, told by the colleagues who live it every day.",
        "What we tried, what we learned, and what we would do again.",
        "Photos, stories and a few surprises from the team.",
        "Why it matters to us, in our colleagues' own words.",
    ],
    "job_opening": [
        "Hybrid, flexible hours, a learning budget and a team that ships. Know someone?",
        "Join a friendly team solving hard problems for thousands of customers.",
        "Great benefits, real ownership from day one. Referrals earn bonus points.",
    ],
    "announcement": [
        "What changes, from when, and whom to ask. Questions? Ask in #office-life.",
        "Everything you need to know, in two minutes.",
    ],
}


def _stories() -> list[Story]:
    stories: list[Story] = []
    for index, title in enumerate(NEWS):
        state = "approved"
        if index == 3:
            state = "submitted"
        elif index == 5:
            state = "scheduled"
        elif index == 13:
            state = "expired"
        stories.append(
            Story(
                title,
                topics=("Company news", "Product" if index % 2 else "Growth"),
                state=state,
                captions={
                    "linkedin": [
                        f"Proud to share: {title}.",
                        f"Big news from my team: {title}.",
                        f"{title}. Read more below.",
                    ],
                    "x": [f"{title} 🚀", f"News from Acme: {title}"],
                    "email": [f"Thought you would like this: {title}."],
                },
            )
        )
    teams = ("Marketing", "HR", "Engineering", "Sales")
    for index, title in enumerate(CULTURE):
        author = "tom.fletcher@acme.example" if index % 3 == 0 else CURATOR_EMAIL
        state = "approved"
        if index == 2:
            state = "submitted"
        elif index == 7:
            state, author = "rejected", "jordan.lee@acme.example"
        stories.append(
            Story(
                title,
                kind="culture_story",
                topics=("Culture", "Life at Acme"),
                teams=(teams[index % 4],) if index % 4 == 1 else (),
                state=state,
                author=author,
                note="Lovely story, but please add photos with everyone's consent first."
                if state == "rejected"
                else "",
                captions={
                    "linkedin": [f"This is why I love working at Acme: {title.lower()}."],
                    "facebook": [f"{title} ❤️"],
                    "xing": [f"{title} – ein Einblick in unsere Kultur."],
                },
            )
        )
    for index, (title, job_teams) in enumerate(JOBS):
        stories.append(
            Story(
                title,
                kind="job_opening",
                topics=("Careers", job_teams[0]),
                teams=job_teams if index % 3 == 0 else (),
                state="submitted" if index == 4 else "approved",
                author="oliver.price@acme.example",
                languages=("de",) if "DACH" in title else (),
                captions={
                    "linkedin": [
                        f"We're hiring! {title} – know someone great?",
                        f"My team is looking for a {title}. Join us!",
                    ],
                    "x": [f"We're hiring: {title}"],
                    "xing": [f"Wir stellen ein: {title}"],
                    "email": [f"We are hiring a {title}; I thought of you."],
                },
            )
        )
    for index, title in enumerate(ANNOUNCEMENTS):
        locations = ()
        if title.startswith("Vancouver"):
            locations = ("Vancouver, Canada",)
        elif title.startswith("Singapore"):
            locations = ("Singapore",)
        stories.append(
            Story(
                title,
                kind="announcement",
                topics=("Announcements",),
                locations=locations,
                state="expired" if index == 0 else "approved",
                author=ADMIN_EMAIL,
            )
        )
    return stories


def seed_feed(demo: DemoOrganisation) -> None:
    """Sharing rules, a source, ~60 content items in every state, and some shares."""
    admin = demo.people[ADMIN_EMAIL]
    compliance.set_disclosure(DISCLOSURE, admin)
    compliance.add_blocked_terms(BLOCKED, admin)
    compliance.publish_policy("Acme social media policy", POLICY, admin)
    db.session.add(
        Source(
            name="Acme engineering blog",
            url="https://blog.acme.example/feed.xml",
            content_kind="link",
            active=False,  # nothing to fetch in a demo; an admin can resume it
            created_by_id=admin.id,
        )
    )
    now = utcnow()
    made: list[Content] = []
    curator = demo.people[CURATOR_EMAIL]
    for index, story in enumerate(_stories()):
        made.append(_add_story(demo, story, index, now, curator))
    db.session.commit()
    _add_shares(demo, [c for c in made if c.is_live(now) and not c.internal_only])
    states = {}
    for content in made:
        states[content.state] = states.get(content.state, 0) + 1
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    demo.echo(f"{len(made)} content items ({summary}); policy, disclosure {DISCLOSURE}.")


def _add_story(demo, story: Story, index: int, now, curator) -> Content:
    author = demo.people[story.author]
    published = now - timedelta(hours=5 * index + 1)
    publish_at = published
    expire_at = None
    if story.state == "scheduled":
        publish_at = now + timedelta(days=2)
    elif story.state == "expired":
        publish_at, expire_at = now - timedelta(days=40), now - timedelta(days=10)
    elif story.kind == "job_opening":
        expire_at = now + timedelta(days=30 + index)
    values = {
        "kind": story.kind,
        "title": story.title,
        "destination_url": ""
        if story.kind == "announcement"
        else f"https://www.acme.example/{story.kind.replace('_', '-')}/{_slug(story.title)}",
        "summary": SUMMARIES[story.kind][index % len(SUMMARIES[story.kind])],
        "image_url": "",
        "campaign": "careers-2026" if story.kind == "job_opening" else "",
        "captions": story.captions,
        "captions_editable": story.kind == "culture_story",
        "internal_only": story.kind == "announcement",
        "topics": list(story.topics),
        "teams": [demo.teams[name].id for name in story.teams],
        "locations": list(story.locations),
        "languages": list(story.languages),
        "publish_at": publish_at if story.state != "submitted" else None,
        "expire_at": expire_at,
    }
    content = Content(
        state=ContentState.DRAFT.value, author_id=author.id, created_at=published, title=story.title
    )
    db.session.add(content)
    apply_values(content, values)
    if story.kind != "announcement":
        content.image = store_demo_picture(story.title, story.kind)
        content.site_name = "acme.example"
        content.preview_fetched_at = published
    record_event(content, "created", author, None)
    if story.state == "draft":
        return content
    content.state = ContentState.SUBMITTED.value
    record_event(content, "submit", author, ContentState.DRAFT.value)
    if story.state == "submitted":
        return content
    if story.state == "rejected":
        content.state = ContentState.REJECTED.value
        content.review_note = story.note
        record_event(content, "reject", curator, ContentState.SUBMITTED.value, story.note)
        return content
    content.state = ContentState.APPROVED.value
    record_event(content, "approved", curator, ContentState.SUBMITTED.value)
    if story.state in ("approved", "expired"):
        content.published_at = publish_at
        record_event(content, "published", None, ContentState.APPROVED.value)
    if story.state == "expired":
        content.state = ContentState.EXPIRED.value
        record_event(content, "expired", None, ContentState.APPROVED.value)
    return content


def _add_shares(demo: DemoOrganisation, live: list[Content]) -> None:
    """A few colleagues acknowledge the policy and share, so links and shares exist."""
    sharers = [
        "tom.fletcher@acme.example",
        "ben.carter@acme.example",
        "fiona.campbell@acme.example",
        "emily.nguyen@acme.example",
        "kenji.sato@acme.example",
    ]
    networks = ["linkedin", "x", "linkedin", "facebook", "xing", "email"]
    for position, email in enumerate(sharers):
        person = demo.people[email]
        compliance.acknowledge_policy(person)
        for offset, content in enumerate(live[position : position + 4]):
            if matches_audience(person, content):
                sharing.share_content(person, content, networks[(position + offset) % 6])
