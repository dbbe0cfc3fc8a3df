"""Who may see, read, post in and moderate a space: the one source of truth for pages, the API,
mentions, notifications, digests and (later) search.

The rules:
- public: everyone signed in reads and posts; private: listed (name, description) to everyone,
  content for members only (others get 403 with a way to ask to join); secret: invisible to
  non-members everywhere (404, never 403, and absent from every list).
- Members are the space's member rows plus, for a team's space, the team's members (its
  leaders moderate it).
- Official spaces: only moderators start threads; anyone who reads may reply.
- Admins administer the install: they see every space, secret ones included, and moderate all
  of them (flags and legal requests must reach someone). They do not count as an audience.
- Closed threads take replies from moderators only; deleted threads are seen by moderators only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, or_, select

from advocacy.accounts.models import Role, TeamMembership, User
from advocacy.discussions.models import Post, Space, SpaceMember, SpaceRole, Thread, Visibility
from advocacy.errors import Forbidden, NotFound
from advocacy.extensions import db

MODERATING_ROLES = (SpaceRole.OWNER.value, SpaceRole.MODERATOR.value)


def space_role(user: User, space: Space) -> str | None:
    """The user's role in the space (owner/moderator/member), or None for a non-member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    explicit = db.session.scalar(
        select(SpaceMember.role).where(
            SpaceMember.space_id == space.id, SpaceMember.user_id == user.id
        )
    )
    if explicit is not None:
        return explicit
    if space.team_id is not None:
        for membership in user.memberships:
            if membership.team_id == space.team_id:
                return SpaceRole.MODERATOR.value if membership.is_leader else SpaceRole.MEMBER
    return None


def is_member(user: User, space: Space) -> bool:
    """True for members of any role."""
    return space_role(user, space) is not None


def can_see_space(user: User, space: Space) -> bool:
    """May the user know this space exists (its name and description)?"""
    if space.visibility != Visibility.SECRET:
        return True
    return user.is_admin or is_member(user, space)


def can_read_space(user: User, space: Space) -> bool:
    """May the user read the space's threads and posts?"""
    return space.is_public or user.is_admin or is_member(user, space)


def can_moderate(user: User, space: Space) -> bool:
    """Owners, moderators and admins moderate a space."""
    return user.is_admin or space_role(user, space) in MODERATING_ROLES


def can_start_thread(user: User, space: Space) -> bool:
    """Readers start threads, except in official spaces where only moderators do."""
    if space.official:
        return can_moderate(user, space)
    return can_read_space(user, space)


def can_reply(user: User, thread: Thread) -> bool:
    """Readers reply to open threads; moderators also to closed ones."""
    if thread.deleted:
        return False
    if thread.closed:
        return can_moderate(user, thread.space)
    return can_read_space(user, thread.space)


def visible_space_ids(user: User) -> Select:
    """A select of the ids of every space whose content `user` may read."""
    if user.is_admin:
        return select(Space.id)
    return select(Space.id).where(
        or_(Space.visibility == Visibility.PUBLIC.value, _member_of(user.id))
    )


def listed_space_ids(user: User) -> Select:
    """A select of the ids of every space `user` may know of (readable ones plus private ones)."""
    if user.is_admin:
        return select(Space.id)
    return select(Space.id).where(
        or_(Space.visibility != Visibility.SECRET.value, _member_of(user.id))
    )


def member_space_ids(user: User) -> Select:
    """A select of the ids of spaces where `user` is a member (explicit or through a team)."""
    return select(Space.id).where(_member_of(user.id))


def _member_of(user_id: int):
    return or_(
        Space.id.in_(select(SpaceMember.space_id).where(SpaceMember.user_id == user_id)),
        Space.team_id.in_(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)),
    )


def space_member_ids(space: Space) -> set[int]:
    """Ids of the space's active members (explicit and through its team)."""
    query = select(SpaceMember.user_id).where(SpaceMember.space_id == space.id)
    if space.team_id is not None:
        query = query.union(
            select(TeamMembership.user_id).where(TeamMembership.team_id == space.team_id)
        )
    ids = set(db.session.scalars(query))
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids), User.active.is_(True))))


def audience_ids(space: Space) -> set[int]:
    """Who a space speaks to: every active person for a public space, else its members."""
    if space.is_public:
        return set(db.session.scalars(select(User.id).where(User.active.is_(True))))
    return space_member_ids(space)


def readers_among(space: Space, user_ids: Iterable[int]) -> set[int]:
    """The subset of `user_ids` that may read the space (active people only)."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    active = set(
        db.session.scalars(select(User.id).where(User.id.in_(wanted), User.active.is_(True)))
    )
    if space.is_public:
        return active
    admins = set(
        db.session.scalars(
            select(User.id).where(User.id.in_(active), User.role == Role.ADMIN.value)
        )
    )
    return active & (space_member_ids(space) | admins)


def get_visible_space(user: User, space_id: int) -> Space:
    """The space, or NotFound when it does not exist or is secret to this user."""
    space = db.session.get(Space, space_id)
    if space is None or not can_see_space(user, space):
        raise NotFound("No such space.")
    return space


def get_readable_space(user: User, space_id: int) -> Space:
    """The space when its content is readable; NotFound if secret to the user, else Forbidden."""
    space = get_visible_space(user, space_id)
    check_can_read(user, space)
    return space


def check_can_read(user: User, space: Space) -> None:
    """Forbidden (or NotFound for a secret space) unless the user may read the space."""
    if not can_see_space(user, space):
        raise NotFound("No such space.")
    if not can_read_space(user, space):
        raise Forbidden(f"{space.name} is private: ask to join it to read its threads.")


def check_can_moderate(user: User, space: Space) -> None:
    """Forbidden unless the user moderates the space."""
    if not can_moderate(user, space):
        raise Forbidden(f"Only the moderators of {space.name} can do this.")


def get_readable_thread(user: User, thread_id: int) -> Thread:
    """A thread the user may read (deleted ones for moderators only); NotFound or Forbidden."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can_see_space(user, thread.space):
        raise NotFound("No such thread.")
    check_can_read(user, thread.space)
    if thread.deleted and not can_moderate(user, thread.space):
        raise NotFound("This thread was deleted.")
    return thread


def space_of_thread(thread_id: int) -> Space:
    """The space a thread is in (to show a private space's join page), or NotFound."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        raise NotFound("No such thread.")
    return thread.space


def space_of_post(post_id: int) -> Space:
    """The space a post is in (to show a private space's join page), or NotFound."""
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound("No such post.")
    return post.thread.space
