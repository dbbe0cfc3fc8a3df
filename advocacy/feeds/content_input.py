"""What an author enters for a content item, checked as a whole so that every problem is reported
at once: texts and their limits, captions and blocked terms, topics, the audience and the share
window."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from advocacy.accounts.models import Team
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import compliance
from advocacy.feeds.links import url_problem, x_text_budget
from advocacy.feeds.models import (
    AUDIENCE_VALUE_MAX,
    CAMPAIGN_MAX,
    CAPTION_MAX,
    CAPTION_NETWORKS,
    SUMMARY_MAX,
    TITLE_MAX,
    TOPIC_MAX,
    Content,
    ContentKind,
    Network,
    location_key,
)
from advocacy.models_base import utcnow

TOPICS_MAX = 8


VARIANTS_MAX = 5


AUDIENCE_VALUES_MAX = 50


# A time entered a moment ago is not "in the past" yet: forms take a while to fill in.
PAST_GRACE = timedelta(minutes=5)


TOPIC_NAME = re.compile(r"^[\w][\w .&+/-]*$", re.UNICODE)


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


@dataclass
class ContentInput:
    """Everything an author enters, validated together so every problem is reported at once."""

    title: str
    kind: str = ContentKind.LINK.value
    destination_url: str = ""
    summary: str = ""
    image_url: str = ""
    topics: list[str] = field(default_factory=list)
    campaign: str = ""
    captions: dict[str, list[str]] = field(default_factory=dict)
    captions_editable: bool = False
    internal_only: bool = False
    teams: list[int] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    publish_at: datetime | None = None
    expire_at: datetime | None = None

    def validated(self, previous: Content | None = None, now: datetime | None = None) -> dict:
        """The cleaned values, or ValidationFailed listing every problem (one message per
        field, blocked terms named)."""
        now = now or utcnow()
        errors: dict[str, list[str]] = {}

        def fail(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        kind = self.kind
        if kind not in {k.value for k in ContentKind}:
            fail("kind", f"Unknown kind {str(kind)[:30]!r}: use {', '.join(ContentKind)}.")
            kind = ContentKind.LINK.value
        internal_only = bool(self.internal_only) or kind == ContentKind.ANNOUNCEMENT
        title = _text(fail, "title", self.title, TITLE_MAX, required=True)
        summary = _text(fail, "summary", self.summary, SUMMARY_MAX)
        campaign = _text(fail, "campaign", self.campaign, CAMPAIGN_MAX)
        destination_url = (self.destination_url or "").strip()
        if destination_url:
            if problem := url_problem(destination_url):
                fail("destination_url", problem)
        elif not internal_only:
            fail("destination_url", "Give the web address people will share.")
        image_url = (self.image_url or "").strip()
        if image_url and (problem := url_problem(image_url, https_only=True)):
            fail("image_url", problem)
        captions = _captions(fail, self.captions, compliance.disclosure())
        values = {
            "kind": kind,
            "title": title,
            "destination_url": destination_url,
            "summary": summary,
            "image_url": image_url,
            "campaign": campaign,
            "captions": captions,
            "captions_editable": bool(self.captions_editable),
            "internal_only": internal_only,
            "topics": _topics(fail, self.topics),
            "teams": _teams(fail, self.teams),
            "locations": _locations(fail, self.locations),
            "languages": _languages(fail, self.languages),
            **_window(fail, self.publish_at, self.expire_at, previous, now),
        }
        texts = {"title": title, "summary": summary}
        for network, variants in captions.items():
            for index, text in enumerate(variants):
                texts[f"captions.{network}.{index}"] = text
        try:
            compliance.check_texts(texts)
        except ValidationFailed as error:
            for name, messages in error.errors.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationFailed(_summary(errors), errors)
        return values


def _summary(errors: dict[str, list[str]]) -> str:
    blocked = [m for messages in errors.values() for m in messages if "blocked" in m]
    if blocked:
        return "Some fields are not valid. " + " ".join(dict.fromkeys(blocked))
    return "Some fields are not valid."


def _text(fail, name: str, value, limit: int, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        fail(name, "This field is required.")
    if len(value) > limit:
        fail(name, f"Use at most {limit} characters (this has {len(value)}).")
    return value


def _captions(fail, captions: dict, disclosure: str) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    for network, variants in (captions or {}).items():
        if network not in {n.value for n in CAPTION_NETWORKS}:
            fail("captions", f"Unknown network {str(network)[:30]!r}: use {_networks()}.")
            continue
        texts = [v.strip() for v in variants if isinstance(v, str) and v.strip()]
        if len(texts) > VARIANTS_MAX:
            fail(f"captions.{network}", f"Suggest at most {VARIANTS_MAX} variants per network.")
        limit = x_text_budget(disclosure) if network == Network.X else CAPTION_MAX
        for index, text in enumerate(texts):
            if len(text) > limit:
                reason = " (X allows 280 with the link and disclosure)" if network == "x" else ""
                fail(f"captions.{network}.{index}", f"Use at most {limit} characters{reason}.")
        if texts:
            cleaned[network] = texts
    return cleaned


def _networks() -> str:
    return ", ".join(n.value for n in CAPTION_NETWORKS)


def topic_name(name) -> str | None:
    """The topic's name with its spaces folded, or None when it cannot be a topic (too long,
    or not letters, digits and a few joiners): one rule for authors, the API and RSS imports."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > TOPIC_MAX or not TOPIC_NAME.match(name):
        return None
    return name


def _topics(fail, names: Iterable[str]) -> list[str]:
    cleaned: dict[str, str] = {}
    for raw in names or ():
        folded = " ".join(str(raw).split())
        if not folded:
            continue
        name = topic_name(folded)
        if name is None:
            fail(
                "topics",
                f"{folded[:TOPIC_MAX]!r} is not a topic: up to {TOPIC_MAX} letters/digits.",
            )
            continue
        cleaned.setdefault(name.lower(), name)
    if len(cleaned) > TOPICS_MAX:
        fail("topics", f"Use at most {TOPICS_MAX} topics.")
    return list(cleaned.values())


def _teams(fail, team_ids: Iterable[int]) -> list[int]:
    ids = []
    for value in team_ids or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            fail("teams", f"{str(value)[:20]!r} is not a team id.")
    ids = sorted(set(ids))
    if ids:
        known = set(db.session.scalars(select(Team.id).where(Team.id.in_(ids))))
        if missing := [i for i in ids if i not in known]:
            fail("teams", f"No team has the id {', '.join(map(str, missing))}.")
    return ids


def _locations(fail, locations: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(location_key(str(v)) for v in locations or () if str(v).strip()))
    if any(len(v) > AUDIENCE_VALUE_MAX for v in cleaned):
        fail("locations", f"Locations have at most {AUDIENCE_VALUE_MAX} characters.")
    if len(cleaned) > AUDIENCE_VALUES_MAX:
        fail("locations", f"Choose at most {AUDIENCE_VALUES_MAX} locations.")
    return cleaned


def _languages(fail, languages: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(str(v).strip().lower() for v in languages or () if str(v).strip()))
    for code in cleaned:
        if not LANGUAGE_CODE.match(code):
            fail("languages", f"{code[:20]!r} is not a language code (en, fr, zh-hans).")
    if len(cleaned) > AUDIENCE_VALUES_MAX:
        fail("languages", f"Choose at most {AUDIENCE_VALUES_MAX} languages.")
    return cleaned


def _window(fail, publish_at, expire_at, previous: Content | None, now: datetime) -> dict:
    """The share window. A time is only "in the past" when it was changed: an item published
    yesterday can still be edited."""
    for name, value in (("publish_at", publish_at), ("expire_at", expire_at)):
        if value is not None and value.tzinfo is None:
            fail(name, "Give the time with its time zone (e.g. 2026-05-01T09:00:00+01:00).")
            return {"publish_at": None, "expire_at": None}
    unchanged_publish = previous is not None and previous.publish_at == publish_at
    unchanged_expire = previous is not None and previous.expire_at == expire_at
    if publish_at is not None and not unchanged_publish and publish_at < now - PAST_GRACE:
        fail("publish_at", "This time is in the past. Leave it empty to publish on approval.")
    if expire_at is not None and not unchanged_expire and expire_at <= now:
        fail("expire_at", "This time is in the past: the content would never be shown.")
    elif expire_at is not None and publish_at is not None and expire_at <= publish_at:
        fail("expire_at", "The share window must end after it starts.")
    return {"publish_at": publish_at, "expire_at": expire_at}
