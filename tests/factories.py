"""factory_boy factories for the models tests need."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.accounts.passwords import hash_password
from advocacy.extensions import db

PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    role = "member"
    timezone = "Europe/London"
    languages = factory.LazyFunction(lambda: ["en"])


class TeamFactory(BaseFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(BaseFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    is_leader = False
