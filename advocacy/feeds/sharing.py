"""Sharing: tracked links (one per employee, content and network), the caption each sharer gets,
share intents, and the functions the leaderboard calls instead of reading feeds tables.

A tracked link's code comes from `secrets` (64 random bits, URL-safe): short enough to paste,
far too many to guess. It is created on the first share and never changes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from advocacy.accounts.models import User
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import compliance
from advocacy.feeds.feed import matches_audience
from advocacy.feeds.links import (
    share_intent_url,
    shorten,
    variant_index,
    with_tracking,
    x_text_budget,
)
from advocacy.feeds.models import (
    CAPTION_MAX,
    CAPTION_NETWORKS,
    Content,
    Network,
    Share,
    TrackedLink,
)
from advocacy.feeds.signals import share_recorded
from advocacy.models_base import utcnow
from advocacy.web.urls import external_url

CODE_BYTES = 8  # 11 URL-safe characters
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,16}$")


def check_network(network: str) -> Network:
    """A known network, or ValidationFailed naming the ones there are."""
    try:
        return Network(network)
    except ValueError:
        names = ", ".join(n.value for n in Network)
        raise ValidationFailed.field(
            "network", f"Unknown network {str(network)[:30]!r}: use one of {names}."
        ) from None


# --- captions ---------------------------------------------------------------------------------


def caption_variants(content: Content, network: str) -> list[str]:
    """The captions a sharer may pick from for this network, without the disclosure. A network
    without variants of its own borrows those of the first network (in the order LinkedIn, X,
    Facebook, Xing, e-mail) that has some; with none at all, the title is the one caption. X's
    are cut to what fits beside the link and the disclosure."""
    variants = content.captions_for(network)
    if not variants:
        for other in CAPTION_NETWORKS:
            if variants := content.captions_for(other):
                break
    if not variants:
        variants = [content.title]
    if network == Network.X:
        budget = x_text_budget(compliance.disclosure())
        variants = [shorten(text, budget) for text in variants]
    return list(variants)


def suggested_caption(user: User, content: Content, network: str) -> str:
    """The caption variant this sharer gets for this network, without the disclosure.

    Each sharer gets one of the network's variants, chosen by a hash of the sharer and the
    content, so colleagues do not all post the same words and a sharer always sees the same one
    (the share dialog lets them pick another)."""
    variants = caption_variants(content, network)
    return variants[variant_index(user.id, content.id, len(variants))]


def chosen_caption(content: Content, network: str, variant: int) -> str:
    """The variant the sharer picked, or ValidationFailed for one that does not exist."""
    variants = caption_variants(content, network)
    if not 0 <= variant < len(variants):
        raise ValidationFailed.field(
            "variant", f"Pick one of the {len(variants)} suggested captions."
        )
    return variants[variant]


def check_edited_caption(content: Content, network: str, caption: str) -> str:
    """A sharer's own caption, or ValidationFailed (not editable, too long, blocked terms)."""
    if not content.captions_editable:
        raise ValidationFailed.field(
            "caption", "The captions of this content cannot be edited: share the suggested one."
        )
    caption = (caption or "").strip()
    limit = x_text_budget(compliance.disclosure()) if network == Network.X else CAPTION_MAX
    if not caption:
        raise ValidationFailed.field("caption", "Write a caption, or share the suggested one.")
    if len(caption) > limit:
        raise ValidationFailed.field("caption", f"Use at most {limit} characters.")
    compliance.check_texts({"caption": caption})
    return caption


# --- tracked links ----------------------------------------------------------------------------


def get_or_create_link(user: User, content: Content, network: str) -> TrackedLink:
    """The employee's tracked link for this content and network, created once (committed)."""
    query = select(TrackedLink).where(
        TrackedLink.user_id == user.id,
        TrackedLink.content_id == content.id,
        TrackedLink.network == network,
    )
    link = db.session.scalar(query)
    if link is not None:
        return link
    for _attempt in range(5):
        link = TrackedLink(
            code=secrets.token_urlsafe(CODE_BYTES),
            user_id=user.id,
            content_id=content.id,
            network=network,
        )
        db.session.add(link)
        try:
            db.session.commit()
            return link
        except IntegrityError:
            # Either a concurrent request made this triple's link, or (rarely) the code exists.
            db.session.rollback()
            if (existing := db.session.scalar(query)) is not None:
                return existing
    raise RuntimeError("could not allocate a unique tracked-link code")


def tracked_url(link: TrackedLink) -> str:
    """The public short URL of a tracked link, /r/<code> on PUBLIC_BASE_URL."""
    return external_url("tracking.follow", code=link.code)


def tracked_destination(link: TrackedLink) -> str:
    """Where a tracked link leads: the content's destination with the UTM parameters and
    adv_ref=<code> merged in (the destination's own query and fragment are kept)."""
    return with_tracking(
        link.content.destination_url,
        network=link.network,
        campaign=link.content.campaign,
        code=link.code,
    )


def find_tracked_link(code: str) -> TrackedLink | None:
    """The tracked link with this code (its content loaded), or None."""
    if not CODE_PATTERN.match(code or ""):
        return None
    return db.session.scalar(
        select(TrackedLink).where(TrackedLink.code == code).options(joinedload(TrackedLink.content))
    )


def mark_share_verified(link_id: int, at: datetime, commit: bool = True) -> int:
    """Set `verified_at` on the link's share intents not verified yet (the first human click
    verifies them); returns how many. Idempotent: a second call changes nothing."""
    result = db.session.execute(
        update(Share)
        .where(Share.tracked_link_id == link_id, Share.verified_at.is_(None))
        .values(verified_at=at)
    )
    if commit:
        db.session.commit()
    return result.rowcount or 0


# --- share intents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareResult:
    """A recorded share and what the sharer needs to post it."""

    share: Share
    network: str
    tracked_url: str
    intent_url: str
    caption: str


def check_shareable(user: User, content: Content, now: datetime | None = None) -> None:
    """NotFound, or Conflict with the reason, unless the user may share this content now."""
    now = now or utcnow()
    author_or_curator = user.is_curator or content.author_id == user.id
    if not author_or_curator and not matches_audience(user, content):
        raise NotFound("No such content.")
    if not content.is_live(now):
        if content.state == "approved" and content.publish_at and content.publish_at > now:
            raise Conflict(f"“{content.title}” is scheduled: it can be shared once published.")
        raise Conflict(f"“{content.title}” cannot be shared: it is {content.state}.")
    if content.internal_only:
        raise Conflict(f"“{content.title}” is for employees only and cannot be shared outside.")
    compliance.require_policy_acknowledged(user)


def share_content(
    user: User,
    content: Content,
    network: str,
    caption: str | None = None,
    variant: int | None = None,
) -> ShareResult:
    """Record a share intent and build the tracked link, share-intent URL and final caption
    (the disclosure is always appended here, whatever the sharer wrote). The caption is the
    sharer's own (`caption`, where captions may be edited), else the `variant` they picked,
    else the one they were suggested."""
    network = check_network(network).value
    check_shareable(user, content)
    if caption is not None:
        body = check_edited_caption(content, network, caption)
    elif variant is not None:
        body = chosen_caption(content, network, variant)
    else:
        body = suggested_caption(user, content, network)
    final = compliance.with_disclosure(body, compliance.disclosure())
    link = get_or_create_link(user, content, network)
    url = tracked_url(link)
    share = Share(
        tracked_link_id=link.id,
        user_id=user.id,
        content_id=content.id,
        network=network,
        caption=final,
    )
    db.session.add(share)
    db.session.flush()
    share_recorded.send(share)
    db.session.commit()
    return ShareResult(
        share, network, url, share_intent_url(network, url, final, content.title), final
    )


def shares_of(user: User, content: Content) -> list[Share]:
    """The user's share intents of one content item, newest first."""
    return list(
        db.session.scalars(
            select(Share)
            .where(Share.user_id == user.id, Share.content_id == content.id)
            .order_by(Share.created_at.desc(), Share.id.desc())
        )
    )
