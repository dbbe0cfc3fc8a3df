"""The discussions part of `flask seed-demo`: team spaces (made with the teams), an official HR
Announcements space, a public Ask Anything Q&A space, a private and a secret space, and a few
hundred threads and replies written over the past three weeks during each author's working
hours in Vancouver, London and Singapore. Text comes from templates; nothing is fetched.

Rows are written directly (with rendered Markdown and past timestamps) rather than through the
services, so seeding sends no e-mail and queues no job.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.discussions import spaces
from advocacy.discussions.models import (
    REACTIONS,
    Acknowledgement,
    Post,
    Reaction,
    Space,
    SpaceMember,
    Thread,
    ThreadFollow,
    ThreadKind,
    ThreadTag,
)
from advocacy.discussions.profiles import ensure_profiles, handle_of
from advocacy.discussions.threads import render_post_body
from advocacy.extensions import db
from advocacy.models_base import utcnow

DAYS_BACK = 21
QUESTIONS = [
    ("How do I {task}?", ["it", "onboarding"]),
    ("Does anyone know how to {task}?", ["howto"]),
    ("What is the process to {task}?", ["process"]),
    ("Quick one: can I {task} from another office?", ["offices"]),
]
TASKS = [
    "book a meeting room in the Singapore office", "claim travel expenses in CAD",
    "get a second monitor", "request access to the analytics dashboard", "set up the VPN on Linux",
    "change my payroll bank details", "join the Friday all-hands from Vancouver",
    "get a visitor badge for a candidate", "order business cards", "reset my laptop PIN",
    "find the brand guidelines", "add a customer logo to a case study", "submit a referral",
    "book annual leave over a public holiday", "get the new pitch deck template",
    "share a job opening on LinkedIn", "set my working hours in my profile",
    "find last quarter's pipeline report", "expense a conference ticket", "borrow a test device",
]  # fmt: skip
ANSWERS = [
    "You can do it from the self-service portal: **Settings → Requests**. Took me two minutes.",
    "Ask the IT desk in your office; in London it's on the 3rd floor. They were quick for me.",
    "There's a form for that on the intranet. If it errors, mention @{handle} and they'll sort it.",
    "I did this last month: fill in the template, get your manager's OK, then submit it.",
    "It depends on your office. In Singapore it goes through People Ops; elsewhere through HR.",
    "Good question! Here's what worked for me:\n\n1. Open the portal\n2. Pick the category\n3. "
    "Attach the receipt",
]
THANKS = [
    "Thanks, that worked!", "Perfect, thank you 🙏", "Brilliant, sorted.",
    "Thanks @{handle}, very helpful.", "That's exactly what I needed.",
]  # fmt: skip
DISCUSSIONS = {
    "Engineering": [
        (
            "Post-mortem: {system} latency spike",
            "Latency on {system} went up around the deploy. "
            "Timeline and follow-ups below.\n\n- Detected by alerting\n- Rolled back in 12 minutes",
        ),
        (
            "RFC: moving {system} to the new queue",
            "Proposal to move {system} onto the shared "
            "queue. Feedback welcome before Friday, especially from the on-call folks.",
        ),
        (
            "Hand-off notes for {system}",
            "Passing this over to the next time zone: the migration "
            "of {system} is half done; the runbook is linked in the ticket.",
        ),
    ],
    "Marketing": [
        (
            "Campaign review: {campaign}",
            "Numbers for {campaign} are in. Click-through is up; "
            "let's discuss what to keep for next quarter.",
        ),
        (
            "Ideas for {campaign} visuals",
            "Collecting ideas for the {campaign} visuals. Drop references here.",
        ),
    ],
    "Sales": [
        (
            "Win story: {customer}",
            "We closed {customer}! What made the difference was the "
            "security review. Sharing the deck in the thread.",
        ),
        (
            "Objection handling: pricing in {region}",
            "Prospects in {region} keep pushing on price. What has worked for you?",
        ),
    ],
    "HR": [
        (
            "Interview panel for {role}",
            "We need two more interviewers for the {role} loop next week. Who can help?",
        ),
        (
            "Feedback on the new onboarding checklist",
            "The new checklist is live. What is missing for people joining in {region}?",
        ),
    ],
}
FILLERS = {
    "system": ["checkout", "search", "the billing API", "notifications", "the data pipeline"],
    "campaign": ["Spring launch", "Careers week", "the customer summit", "the APAC roadshow"],
    "customer": ["Northwind", "Globex", "Initech", "Umbrella Health", "Stark Logistics"],
    "region": ["APAC", "EMEA", "North America"],
    "role": ["Senior Backend Engineer", "Account Executive", "Brand Designer"],
}
REPLIES = [
    "+1, I've seen the same in {region}.", "Agree with this. Can we add it to next week's agenda?",
    "I can take this one tomorrow morning my time.", "Looping in @{handle} who knows this area.",
    "Here's the doc: see section 3, it covers most of it.", "Nice work, everyone 🎉",
    "Could we also check the impact on the other offices?", "Done on my side, over to you.",
]  # fmt: skip
ANNOUNCEMENTS = [
    (
        "Updated parental leave policy",
        "Our parental leave is now **26 weeks** fully paid in "
        "every country. Details and FAQ on the intranet. Please acknowledge that you have read it.",
    ),
    (
        "Office closures for public holidays",
        "Each office closes on its local public holidays; "
        "the calendar for Vancouver, London and Singapore is attached.",
    ),
    (
        "New expense tool from next month",
        "We are moving to the new expense tool. Your first "
        "claim there needs a one-time setup; it takes five minutes.",
    ),
]


class DemoWriter:
    """Writes threads and replies with realistic local working-hour timestamps."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.threads = self.posts = 0

    def moment(self, person: User, not_before: datetime) -> datetime | None:
        """A time during the person's working hours within two days after `not_before` and
        before now, or None when their next working hours have not come yet."""
        zone = ZoneInfo(person.timezone)
        first_day = not_before.astimezone(zone).date()
        start, end = person.working_hours_start, person.working_hours_end
        for _ in range(20):
            day = first_day + timedelta(days=self.rng.randint(0, 2))
            minutes = self.rng.randint(
                start.hour * 60 + start.minute, end.hour * 60 + end.minute - 1
            )
            local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
            moment = local.astimezone(not_before.tzinfo)
            if not_before < moment < self.now:
                return moment
        return None

    def thread(self, space, author, title, body, kind=ThreadKind.DISCUSSION, tags=(), when=None):
        """A thread whose opening post is written at a believable moment (or at `when`)."""
        while when is None:
            when = self.moment(author, self.now - timedelta(days=self.rng.randint(2, DAYS_BACK)))
        thread = Thread(
            space_id=space.id, author_id=author.id, title=title, kind=kind.value,
            created_at=when, last_activity_at=when,
        )  # fmt: skip
        thread.tag_rows = [ThreadTag(tag=tag) for tag in tags]
        db.session.add(thread)
        db.session.flush()
        post = self._post(thread, author, body, when, opening=True)
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=author.id))
        self.threads += 1
        return thread, post

    def reply(self, thread, author, body):
        """A reply some hours after the thread's last activity (often from another zone); None
        when the author's next working hours are still to come."""
        when = self.moment(author, thread.last_activity_at)
        if when is None:
            return None
        post = self._post(thread, author, body, when)
        thread.reply_count += 1
        thread.last_activity_at = max(thread.last_activity_at, when)
        return post

    def _post(self, thread, author, body, when, opening=False):
        post = Post(
            thread_id=thread.id, author_id=author.id, is_opening=opening, body_source=body,
            body_html=render_post_body(body), created_at=when,
        )  # fmt: skip
        db.session.add(post)
        db.session.flush()
        thread.last_post_id = post.id
        self.posts += 1
        return post


def seed_discussions(demo) -> None:
    """Spaces, threads, questions, announcements, reactions and mentions."""
    rng = random.Random(20260325)  # noqa: S311 - demo text, not security
    writer = DemoWriter(rng, utcnow())
    ensure_profiles()
    people = list(demo.people.values())
    by_email = demo.people
    handles = {p.id: handle_of(p.id) for p in people}
    admin = by_email["admin@acme.example"]
    hr_lead = by_email["grace.okafor@acme.example"]

    hr = _space(admin, "HR Announcements", "Official news from People & Culture.", "public", True)
    _members(hr, [hr_lead], "moderator")
    ask = _space(admin, "Ask Anything", "No question too small. Ask, answer, accept.", "public")
    leaders = _space(admin, "People Leaders", "For team leads across the three offices.", "private")
    _members(leaders, [p for p in people if p.led_team_ids])
    falcon = _space(
        by_email["marcus.chen@acme.example"], "Project Falcon", "Codename work. Keep it here.",
        "secret",
    )  # fmt: skip
    falcon_crew = ("liam.obrien@acme.example", "kenji.sato@acme.example", "zara.ahmed@acme.example")
    _members(falcon, [by_email[email] for email in falcon_crew])
    db.session.commit()

    def fill(template: str) -> str:
        values = {k: rng.choice(v) for k, v in FILLERS.items()}
        return template.format(handle=handles[rng.choice(people).id], **values)

    # Ask Anything: questions, some answered and accepted, some waiting, some assigned.
    for index in range(70):
        asker = rng.choice(people)
        title_template, tags = rng.choice(QUESTIONS)
        title = title_template.format(task=TASKS[index % len(TASKS)])
        thread, _ = writer.thread(ask, asker, title, _question_body(rng), ThreadKind.QUESTION, tags)
        fate = rng.random()
        if fate < 0.2:
            if rng.random() < 0.5:  # hand it to someone whose day starts next
                thread.assignee_id = rng.choice([p for p in people if p.id != asker.id]).id
                thread.assigned_at = thread.created_at + timedelta(hours=1)
            continue
        answerers = [p for p in people if p.id != asker.id]
        answers = [
            post
            for a in rng.sample(ANSWERS, rng.randint(1, 3))
            if (post := writer.reply(thread, rng.choice(answerers), fill(a))) is not None
        ]
        if fate < 0.8 and answers:
            thread.accepted_post_id = rng.choice(answers).id
            writer.reply(thread, asker, fill(rng.choice(THANKS)))

    # Team spaces: discussions among each team.
    for team_name, topics in DISCUSSIONS.items():
        team = demo.teams[team_name]
        space = spaces.ensure_team_space(team)
        members = [m.user for m in team.memberships]
        for _ in range(22):
            title, body = rng.choice(topics)
            thread, _ = writer.thread(space, rng.choice(members), fill(title), fill(body))
            for _ in range(rng.randint(0, 6)):
                writer.reply(thread, rng.choice(members), fill(rng.choice(REPLIES)))

    team_leads = [p for p in people if p.led_team_ids]
    for title, body in (
        ("Quarterly planning for team leads", "Agenda draft for next week."),
        ("Promotion calibration timeline", "Dates per office inside."),
    ):
        thread, _ = writer.thread(leaders, rng.choice(team_leads), title, body)
        for _ in range(3):
            writer.reply(thread, rng.choice(team_leads), fill(rng.choice(REPLIES)))
    writer.thread(
        falcon, by_email["marcus.chen@acme.example"], "Falcon kickoff", "Scope and dates."
    )

    # Announcements, acknowledged by about two in three people.
    for title, body in ANNOUNCEMENTS:
        thread, post = writer.thread(hr, hr_lead, title, body, ThreadKind.ANNOUNCEMENT, ["policy"])
        thread.pinned = title == ANNOUNCEMENTS[0][0]
        for person in people:
            if person.id != hr_lead.id and rng.random() < 0.65:
                acknowledged_at = writer.moment(person, post.created_at)
                if acknowledged_at is None:
                    continue
                db.session.add(
                    Acknowledgement(
                        thread_id=thread.id, user_id=person.id, created_at=acknowledged_at
                    )
                )
    db.session.flush()

    _reactions(rng, people)
    db.session.commit()
    space_count = db.session.scalar(select(func.count()).select_from(Space))
    demo.echo(
        f"{writer.threads} threads and {writer.posts - writer.threads} replies in {space_count} "
        "spaces (Ask Anything, HR Announcements, team spaces, People Leaders, Project Falcon)."
    )


def _space(owner: User, name: str, description: str, visibility: str, official=False) -> Space:
    space = Space(name=name, description=description, visibility=visibility, official=official,
                  created_by_id=owner.id)  # fmt: skip
    db.session.add(space)
    db.session.flush()
    db.session.add(SpaceMember(space_id=space.id, user_id=owner.id, role="owner"))
    return space


def _members(space: Space, people: list[User], role: str = "member") -> None:
    for person in people:
        if person.id != space.created_by_id:
            db.session.add(SpaceMember(space_id=space.id, user_id=person.id, role=role))


def _question_body(rng: random.Random) -> str:
    return rng.choice([
        "I've looked on the intranet but couldn't find it. Any pointers?",
        "New here, so sorry if this is obvious!",
        "Asking for my team too, we're a few people in the same situation.",
        "Tried the usual place but the link is broken.",
    ])  # fmt: skip


def _reactions(rng: random.Random, people: list[User]) -> None:
    """Reactions on a third of the posts."""
    for post in db.session.scalars(select(Post)).all():
        for emoji in rng.sample(REACTIONS, rng.randint(0, 3)) if rng.random() < 0.35 else []:
            for person in rng.sample(people, rng.randint(1, 4)):
                db.session.add(Reaction(post_id=post.id, user_id=person.id, emoji=emoji))
