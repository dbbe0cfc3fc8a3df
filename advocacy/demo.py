"""`flask seed-demo`: a believable organisation to explore (each feature adds its part).

The seed is a list of steps run in order inside one command. A later feature (content, the
leaderboard, discussions) appends its own step with `add_seed_step()`; each step receives the
`DemoOrganisation` built so far, so it can refer to the people and teams by e-mail or name.
Running the command twice changes nothing: the admin account marks a seeded database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time

import click
from flask.cli import with_appcontext

from advocacy.accounts.models import Role, Team, User
from advocacy.accounts.organisation import update_organisation
from advocacy.accounts.service import Profile, add_user, find_user_by_email
from advocacy.accounts.teams import add_team_member, ensure_team
from advocacy.extensions import db

ORGANISATION_NAME = "Acme"
ORGANISATION_TIMEZONE = "Europe/London"
SIGN_IN_URL = "http://127.0.0.1:5000"
ADMIN_EMAIL = "admin@acme.example"
CURATOR_EMAIL = "priya.nair@acme.example"
# A demo database is for exploring on one's own machine; every demo person shares this password.
DEMO_PASSWORD = "acme-demo-password"  # noqa: S105 - printed on purpose, demo data only
TEAMS = ("Marketing", "HR", "Engineering", "Sales")


@dataclass(frozen=True)
class Office:
    """Where a demo person works: the city shown on the profile and its time zone."""

    location: str
    timezone: str


VANCOUVER = Office("Vancouver, Canada", "America/Vancouver")
LONDON = Office("London, United Kingdom", "Europe/London")
SINGAPORE = Office("Singapore", "Asia/Singapore")

EARLY, USUAL, LATE = (
    (time(8, 0), time(16, 0)),
    (time(9, 0), time(17, 30)),
    (time(10, 0), time(18, 30)),
)


@dataclass(frozen=True)
class Person:
    """One demo person; a team name ending in "*" means they lead that team."""

    name: str
    job_title: str
    department: str
    office: Office
    teams: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    hours: tuple[time, time] = USUAL
    role: str = Role.MEMBER.value
    email: str = ""

    @property
    def address(self) -> str:
        """The person's e-mail: given, or first.last@acme.example."""
        if self.email:
            return self.email
        ascii_name = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return f"{ascii_name.lower().replace(' ', '.').replace(chr(39), '')}@acme.example"


PEOPLE: tuple[Person, ...] = (
    Person(
        "Alex Morgan",
        "IT & Operations Manager",
        "Operations",
        LONDON,
        ("HR",),
        role=Role.ADMIN.value,
        email=ADMIN_EMAIL,
    ),
    Person(
        "Priya Nair",
        "Content Lead",
        "Marketing",
        LONDON,
        ("Marketing",),
        ("en", "hi", "ml"),
        role=Role.CURATOR.value,
        email=CURATOR_EMAIL,
    ),
    # Marketing
    Person(
        "Hannah Becker", "Head of Marketing", "Marketing", LONDON, ("Marketing*",), ("en", "de")
    ),
    Person("Tom Fletcher", "Social Media Manager", "Marketing", LONDON, ("Marketing",), hours=LATE),
    Person("Chloé Martin", "Brand Designer", "Marketing", LONDON, ("Marketing",), ("fr", "en")),
    Person("Jordan Lee", "Growth Marketer", "Marketing", VANCOUVER, ("Marketing", "Sales")),
    Person("Sofia Ramirez", "Content Writer", "Marketing", VANCOUVER, ("Marketing",), ("en", "es")),
    Person(
        "Ethan Chow", "Events Coordinator", "Marketing", VANCOUVER, ("Marketing",), ("en", "yue")
    ),
    Person(
        "Mei Ling Tan",
        "Regional Marketing Manager, APAC",
        "Marketing",
        SINGAPORE,
        ("Marketing",),
        ("en", "zh", "ms"),
    ),
    Person(
        "Arjun Menon",
        "Performance Marketing Specialist",
        "Marketing",
        SINGAPORE,
        ("Marketing",),
        ("en", "ta"),
        EARLY,
    ),
    # HR
    Person("Grace Okafor", "People Director", "Human Resources", LONDON, ("HR*",), ("en", "yo")),
    Person(
        "Oliver Price",
        "Talent Acquisition Partner",
        "Human Resources",
        LONDON,
        ("HR", "Engineering"),
    ),
    Person(
        "Rachel Kim", "HR Business Partner", "Human Resources", VANCOUVER, ("HR",), ("en", "ko")
    ),
    Person(
        "Nur Aisyah Rahman",
        "People Operations Specialist",
        "Human Resources",
        SINGAPORE,
        ("HR",),
        ("en", "ms"),
    ),
    Person(
        "Daniel Wong",
        "Learning & Development Lead",
        "Human Resources",
        SINGAPORE,
        ("HR",),
        ("en", "zh"),
        EARLY,
    ),
    Person(
        "Fiona Campbell", "Employer Brand Manager", "Human Resources", LONDON, ("HR", "Marketing")
    ),
    # Engineering
    Person(
        "Marcus Chen", "VP Engineering", "Engineering", VANCOUVER, ("Engineering*",), ("en", "zh")
    ),
    Person(
        "Liam O'Brien", "Staff Engineer", "Engineering", VANCOUVER, ("Engineering",), hours=LATE
    ),
    Person(
        "Ava Singh",
        "Senior Software Engineer",
        "Engineering",
        VANCOUVER,
        ("Engineering",),
        ("en", "pa"),
    ),
    Person(
        "Noah Tremblay",
        "Site Reliability Engineer",
        "Engineering",
        VANCOUVER,
        ("Engineering",),
        ("en", "fr"),
        EARLY,
    ),
    Person(
        "Isabelle Dubois", "Product Designer", "Product", VANCOUVER, ("Engineering",), ("fr", "en")
    ),
    Person("James Whitaker", "Engineering Manager", "Engineering", LONDON, ("Engineering",)),
    Person("Zara Ahmed", "Backend Engineer", "Engineering", LONDON, ("Engineering",), ("en", "ur")),
    Person("Tomasz Nowak", "Data Engineer", "Engineering", LONDON, ("Engineering",), ("pl", "en")),
    Person(
        "Kenji Sato",
        "Frontend Engineer",
        "Engineering",
        SINGAPORE,
        ("Engineering",),
        ("en", "ja"),
        LATE,
    ),
    Person(
        "Wei Jie Lim", "Security Engineer", "Engineering", SINGAPORE, ("Engineering",), ("en", "zh")
    ),
    Person("Siti Hassan", "QA Engineer", "Engineering", SINGAPORE, ("Engineering",), ("en", "ms")),
    Person("Ben Carter", "Developer Advocate", "Engineering", LONDON, ("Engineering", "Marketing")),
    # Sales
    Person("Olivia Bennett", "Chief Revenue Officer", "Sales", LONDON, ("Sales*",)),
    Person("Ryan MacDonald", "Account Executive", "Sales", VANCOUVER, ("Sales",), hours=EARLY),
    Person(
        "Emily Nguyen",
        "Sales Development Representative",
        "Sales",
        VANCOUVER,
        ("Sales",),
        ("en", "vi"),
    ),
    Person(
        "Carlos Mendes",
        "Solutions Engineer",
        "Sales",
        VANCOUVER,
        ("Sales", "Engineering"),
        ("en", "pt"),
    ),
    Person("Sophie Turner", "Account Manager", "Sales", LONDON, ("Sales",)),
    Person("Raj Patel", "Enterprise Account Executive", "Sales", LONDON, ("Sales",), ("en", "gu")),
    Person("Lucy Evans", "Customer Success Manager", "Customer Success", LONDON, ("Sales",)),
    Person(
        "Jonathan Goh",
        "Regional Sales Director, APAC",
        "Sales",
        SINGAPORE,
        ("Sales",),
        ("en", "zh"),
    ),
    Person(
        "Priyanka Iyer",
        "Partnerships Manager",
        "Sales",
        SINGAPORE,
        ("Sales", "Marketing"),
        ("en", "ta", "hi"),
    ),
    Person(
        "Hiroshi Tanaka",
        "Account Executive, Japan",
        "Sales",
        SINGAPORE,
        ("Sales",),
        ("ja", "en"),
        LATE,
    ),
    Person("Amelia Hughes", "Sales Operations Analyst", "Sales", LONDON, ("Sales",), hours=EARLY),
)


@dataclass
class DemoOrganisation:
    """What the steps have seeded so far, for the steps after them."""

    echo: Callable[[str], None]
    people: dict[str, User] = field(default_factory=dict)  # by e-mail
    teams: dict[str, Team] = field(default_factory=dict)  # by name


SeedStep = Callable[[DemoOrganisation], None]


def seed_organisation(demo: DemoOrganisation) -> None:
    """Name the organisation and set its default time zone."""
    update_organisation(ORGANISATION_NAME, ORGANISATION_TIMEZONE)
    demo.echo(f"Organisation {ORGANISATION_NAME} ({ORGANISATION_TIMEZONE}).")


def seed_people(demo: DemoOrganisation) -> None:
    """Add the people and their teams, one leader per team."""
    for name in TEAMS:
        demo.teams[name] = ensure_team(name)
    leaders: list[tuple[Team, User]] = []
    for person in PEOPLE:
        profile = Profile(
            display_name=person.name,
            job_title=person.job_title,
            department=person.department,
            location=person.office.location,
            timezone=person.office.timezone,
            working_hours_start=person.hours[0],
            working_hours_end=person.hours[1],
            languages=person.languages,
        )
        team_names = [name.rstrip("*") for name in person.teams]
        user = add_user(person.address, profile, DEMO_PASSWORD, person.role, team_names)
        demo.people[user.email] = user
        leaders += [
            (demo.teams[name.rstrip("*")], user) for name in person.teams if name.endswith("*")
        ]
    db.session.commit()
    for team, user in leaders:
        add_team_member(team, user, leader=True)
    demo.echo(f"{len(PEOPLE)} people in {len(TEAMS)} teams ({', '.join(TEAMS)}).")


SEED_STEPS: list[SeedStep] = [seed_organisation, seed_people]


def add_seed_step(step: SeedStep) -> None:
    """Let a feature add its part of the demo; steps run in the order they were added."""
    if step not in SEED_STEPS:
        SEED_STEPS.append(step)


def seed_demo(echo: Callable[[str], None]) -> bool:
    """Run every seed step once; False (and nothing changes) when the demo is already there."""
    if find_user_by_email(ADMIN_EMAIL) is not None:
        return False
    demo = DemoOrganisation(echo=echo)
    for step in SEED_STEPS:
        step(demo)
    return True


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with a demo organisation and print how to sign in."""
    if not seed_demo(click.echo):
        click.echo(
            f"The demo organisation is already seeded ({ADMIN_EMAIL} exists); nothing changed."
        )
    click.echo(f"Sign in at {SIGN_IN_URL}")
    click.echo(f"  admin:   {ADMIN_EMAIL}")
    click.echo(f"  curator: {CURATOR_EMAIL}")
    click.echo(f"  password (every demo person): {DEMO_PASSWORD}")
