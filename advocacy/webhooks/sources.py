"""Where events come from: receivers of other features' signals turn rows into event data and
write them to the outbox inside the sender's transaction. Nothing here imports the senders'
internals beyond the rows the signals carry.

The click and conversion rows come from the leaderboard (its ingest sends the signals): their
fields are read by name when present, so the payload follows that model without a change here.
"""

from __future__ import annotations

from datetime import datetime

from advocacy.discussions.signals import thread_created
from advocacy.feeds.signals import content_approved, content_published, share_recorded
from advocacy.leaderboard.points.signals import period_closed
from advocacy.leaderboard.reach.signals import conversion_recorded, human_clicks_recorded
from advocacy.recruiting.signals import referral_stage_changed
from advocacy.web.urls import external_url
from advocacy.webhooks.outbox import record_event

# Fields copied from click and conversion rows when the row has them (None values are kept).
CLICK_FIELDS = (
    "event_id",
    "link_id",
    "user_id",
    "content_id",
    "network",
    "campaign",
    "occurred_at",
)
CONVERSION_FIELDS = (
    "id",
    "type",
    "external_id",
    "tracked_link_id",
    "user_id",
    "content_id",
    "network",
    "campaign",
    "occurred_at",
)


def connect() -> None:
    """Subscribe to every event source (blinker ignores a receiver connected twice)."""
    content_approved.connect(_on_content_approved, weak=False)
    content_published.connect(_on_content_published, weak=False)
    share_recorded.connect(_on_share_recorded, weak=False)
    human_clicks_recorded.connect(_on_human_clicks, weak=False)
    conversion_recorded.connect(_on_conversion, weak=False)
    thread_created.connect(_on_thread_created, weak=False)
    referral_stage_changed.connect(_on_referral_stage_changed, weak=False)
    period_closed.connect(_on_period_closed, weak=False)


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)  # Decimal, enums


def _pick(row, names: tuple[str, ...]) -> dict:
    return {name: _json_value(getattr(row, name)) for name in names if hasattr(row, name)}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.display_name} if user is not None else None


def content_data(content) -> dict:
    """What subscribers learn about content (also the chat post's source)."""
    return {
        "id": content.id,
        "kind": content.kind,
        "title": content.title,
        "summary": content.summary,
        "destination_url": content.destination_url,
        "image_url": content.image_url,
        "url": external_url("feeds.content_page", content_id=content.id),
        "campaign": content.campaign,
        "topics": [topic.name for topic in content.topics],
        "internal_only": content.internal_only,
        "everyone": not content.audience,
        "publish_at": _json_value(content.publish_at),
        "expire_at": _json_value(content.expire_at),
    }


def _on_content_approved(content, actor=None, **_kwargs) -> None:
    record_event(
        "content.approved", {"content": content_data(content), "approved_by": _person(actor)}
    )


def _on_content_published(content, **_kwargs) -> None:
    # Chat channels are company-wide: content aimed at some teams or places is not posted there
    # (signed webhooks get it, with its audience).
    record_event(
        "content.published", {"content": content_data(content)}, company_wide=not content.audience
    )


def _on_share_recorded(share, **_kwargs) -> None:
    record_event(
        "share.created",
        {
            "share": {
                "id": share.id,
                "content_id": share.content_id,
                "network": share.network,
                "tracked_link_id": share.tracked_link_id,
                "created_at": _json_value(share.created_at),
                "user_id": share.user_id,
            }
        },
    )


def _on_human_clicks(sender=None, clicks=(), **_kwargs) -> None:
    clicks = list(clicks)
    if clicks:
        record_event(
            "click.human",
            {"count": len(clicks), "clicks": [_pick(click, CLICK_FIELDS) for click in clicks]},
        )


def _on_conversion(sender=None, conversion=None, **_kwargs) -> None:
    conversion = conversion if conversion is not None else sender
    if conversion is not None:
        record_event("conversion.recorded", {"conversion": _pick(conversion, CONVERSION_FIELDS)})


def _on_thread_created(thread, **_kwargs) -> None:
    space = thread.space
    record_event(
        "thread.created",
        {
            "thread": {
                "id": thread.id,
                "title": thread.title,
                "kind": thread.kind,
                "tags": thread.tags,
                "url": external_url("threads.view", thread_id=thread.id),
                "author": _person(thread.author),
                "created_at": _json_value(thread.created_at),
                "space": {"id": space.id, "name": space.name, "visibility": space.visibility},
            }
        },
        restricted_space_id=None if space.is_public else space.id,
    )


def _on_referral_stage_changed(sender=None, data=None, **_kwargs) -> None:
    record_event("referral.stage_changed", dict(data or {}))


def _on_period_closed(sender=None, data=None, **_kwargs) -> None:
    record_event("leaderboard.period_closed", dict(data or {}))
