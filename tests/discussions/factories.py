"""Discussion test data, made through the real services so HTML, counters and follows are right."""

from __future__ import annotations

from advocacy.discussions import spaces, threads
from advocacy.discussions.models import Space, SpaceMember, SpaceRole
from advocacy.extensions import db
from tests.factories import UserFactory


def make_space(owner=None, visibility: str = "public", name: str | None = None, **kwargs) -> Space:
    """A space owned by `owner` (a new person if none)."""
    owner = owner or UserFactory()
    make_space.counter = getattr(make_space, "counter", 0) + 1
    return spaces.create_space(
        owner, name or f"Space {make_space.counter}", "About things", visibility, **kwargs
    )


def add_member(space: Space, user, role: str = SpaceRole.MEMBER.value) -> SpaceMember:
    """Put someone in a space directly (no notification)."""
    member = SpaceMember(space_id=space.id, user_id=user.id, role=role)
    db.session.add(member)
    db.session.commit()
    return member


def make_thread(space: Space, author=None, title: str = "A thread", body: str = "Hello", **kwargs):
    """A thread started by `author` (the space's owner if none)."""
    if author is None:
        author = space_owner(space)
    return threads.start_thread(author, space, title, body, **kwargs)


def space_owner(space: Space):
    """The first owner of a space."""
    return db.session.scalar(
        db.select(SpaceMember).where(
            SpaceMember.space_id == space.id, SpaceMember.role == SpaceRole.OWNER.value
        )
    ).user
