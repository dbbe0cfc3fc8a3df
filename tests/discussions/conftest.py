"""Fixtures for discussions: the people of an access matrix and a space of each visibility."""

from __future__ import annotations

import pytest

from tests.discussions.factories import add_member, make_space
from tests.factories import UserFactory
from tests.smtp import smtp_app, smtp_inbox  # noqa: F401 - fixtures for these tests


@pytest.fixture
def people(app):
    """One person per role the access rules distinguish (the space owner moderates)."""
    return {
        "owner": UserFactory(display_name="Olive Owner", email="olive@example.com"),
        "member": UserFactory(display_name="Mo Member", email="mo@example.com"),
        "moderator": UserFactory(display_name="Max Moderator", email="max@example.com"),
        "non_member": UserFactory(display_name="Nia Outsider", email="nia@example.com"),
        "admin": UserFactory(display_name="Ada Admin", email="ada@example.com", role="admin"),
    }


@pytest.fixture
def space_of(people):
    """Make a space of a visibility with the owner, a member and a moderator in it."""

    def make(visibility: str, **kwargs):
        space = make_space(people["owner"], visibility, name=f"The {visibility} space", **kwargs)
        add_member(space, people["member"])
        add_member(space, people["moderator"], "moderator")
        return space

    return make
