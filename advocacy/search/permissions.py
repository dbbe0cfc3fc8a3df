"""Who is searching: the reader's permission context, used by every backend at query time.

Search never filters after the fact: each backend turns a `Reader` into a filter of its query, so
what the reader may not see is never scored, counted, highlighted or suggested. The spaces a reader
may see come from a provider the discussions feature plugs in (`set_visible_spaces_provider`);
until one is set, no space is visible and only documents outside spaces (content, people) match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from advocacy.search.documents import SearchDocument, audience_key


@dataclass(frozen=True)
class Reader:
    """What a reader may see: the spaces, and who they are for audience targeting."""

    user_id: int | None
    space_ids: frozenset[int] = frozenset()
    team_ids: frozenset[int] = frozenset()
    location: str = ""
    languages: frozenset[str] = frozenset()
    timezone: str = "UTC"
    sees_all_audiences: bool = False

    def __post_init__(self):
        object.__setattr__(self, "space_ids", frozenset(int(s) for s in self.space_ids))
        object.__setattr__(self, "team_ids", frozenset(int(t) for t in self.team_ids))
        object.__setattr__(self, "location", audience_key(self.location))
        languages = frozenset(audience_key(lang) for lang in self.languages)
        object.__setattr__(self, "languages", languages - {""})

    @property
    def signature(self) -> tuple:
        """Everything the permission filter depends on (backends cache filters by it)."""
        return (
            self.space_ids,
            self.team_ids,
            self.location,
            self.languages,
            self.sees_all_audiences,
        )

    def may_see(self, document: SearchDocument, now: datetime) -> bool:
        """The rule every backend's filter implements, in plain Python (tests and rechecks)."""
        if document.space_id is not None and document.space_id not in self.space_ids:
            return False
        if document.visible_from is not None and document.visible_from > now:
            return False
        if document.visible_until is not None and document.visible_until <= now:
            return False
        audience = document.audience
        if self.sees_all_audiences or audience.is_everyone:
            return True
        return (
            (not audience.teams or bool(self.team_ids & set(audience.teams)))
            and (not audience.locations or self.location in audience.locations)
            and (not audience.languages or bool(self.languages & set(audience.languages)))
        )


SpacesProvider = Callable[[object], Iterable[int]]
AudiencesRule = Callable[[object], bool]


def _no_spaces(user) -> Iterable[int]:
    return ()


def _targeted_only(user) -> bool:
    return False


def set_visible_spaces_provider(app: Flask, provider: SpacesProvider) -> None:
    """Plug in `provider(user) -> ids of the spaces the user may see` (discussions' rule)."""
    app.extensions["search"].visible_spaces = provider


def set_sees_all_audiences_rule(app: Flask, rule: AudiencesRule) -> None:
    """Plug in `rule(user) -> True when the user sees content whatever its audience` (the
    feed's rule: curators review everything)."""
    app.extensions["search"].sees_all_audiences = rule


def reader_languages(codes: Iterable[str]) -> frozenset[str]:
    """A reader's language codes with their primary parts, as the feed matches them: someone
    speaking "en-GB" is in an audience for "en"."""
    languages = set()
    for code in codes or ():
        languages.update({code, code.split("-", 1)[0]})
    return frozenset(languages)


def reader_for(user) -> Reader:
    """The permission context of a signed-in user."""
    state = current_app.extensions["search"]
    return Reader(
        user_id=user.id,
        space_ids=frozenset(state.visible_spaces(user)),
        team_ids=frozenset(user.team_ids),
        location=user.location or "",
        languages=reader_languages(user.languages),
        timezone=user.timezone or "UTC",
        sees_all_audiences=bool(state.sees_all_audiences(user)),
    )
