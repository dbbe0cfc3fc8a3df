"""People as search documents: name, job title, department, location and teams.

Deactivated people are not searchable. Their teams are the document's tags (`tag:engineering`).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.extensions import db
from advocacy.search.documents import (
    DocumentType,
    SearchDocument,
    document_key,
    path_for,
    register_source,
    watch,
)

PERSON_ATTRIBUTES = ("display_name", "email", "job_title", "department", "location", "active")


def person_document(user: User) -> SearchDocument | None:
    """The search document of a person, or None when they are deactivated."""
    if not user.active:
        return None
    teams = sorted(m.team.name for m in user.memberships)
    details = [user.job_title, user.department, user.location]
    return SearchDocument(
        key=document_key(DocumentType.PERSON, user.id),
        type=DocumentType.PERSON,
        title=user.display_name,
        body=" · ".join(d for d in details if d),
        tags=tuple(teams),
        created_at=user.created_at,
        url=path_for("search.person", user_id=user.id),
    )


def people_query():
    """Users with their teams loaded (one query per batch, not one per person)."""
    return select(User).options(selectinload(User.memberships).selectinload(TeamMembership.team))


def visible_people(reader, ids: list[int]) -> set[int]:
    """Every signed-in reader may see every active colleague."""
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids), User.active)))


def register(app: Flask) -> None:
    """Make people searchable, and follow the changes that alter their documents."""
    register_source(
        app,
        DocumentType.PERSON,
        User,
        person_document,
        query=people_query,
        recheck=visible_people,
        attributes=PERSON_ATTRIBUTES,
    )
    watch(app, TeamMembership, lambda m: [document_key(DocumentType.PERSON, m.user_id)])
    watch(
        app,
        Team,
        lambda team: [document_key(DocumentType.PERSON, m.user_id) for m in team.memberships],
        attributes=("name",),
    )
