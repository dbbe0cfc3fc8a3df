"""Chat messages for incoming webhooks: Slack (Block Kit) and Microsoft Teams (an Adaptive Card
message, accepted by Teams incoming webhooks and by Power Automate "Workflows" webhooks)."""

from __future__ import annotations

from advocacy.webhooks.events import TEST_EVENT
from advocacy.webhooks.models import TargetKind, WebhookEvent

SUMMARY_MAX = 300


def message(kind: str, event: WebhookEvent) -> dict:
    """The JSON body to POST to a chat target of `kind` for `event`."""
    title, summary, url = _parts(event)
    if kind == TargetKind.SLACK:
        return slack_message(title, summary, url)
    if kind == TargetKind.TEAMS:
        return teams_message(title, summary, url)
    raise ValueError(f"not a chat target: {kind!r}")


def _parts(event: WebhookEvent) -> tuple[str, str, str | None]:
    if event.type == TEST_EVENT:
        name = event.data.get("subscription", {}).get("name", "")
        return "Advocacy test message", f"“{name}” is connected.", None
    content = event.data.get("content", {})
    summary = content.get("summary", "")
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    return f"New to share: {content.get('title', '')}", summary, content.get("url")


def _slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup everywhere, fallback text included: "<!channel>" pings
    the whole channel and "<https://x|label>" is a link that says anything. Escaped, they are
    shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Adaptive Cards read a CommonMark subset in TextBlocks: links, emphasis and lists. Every ASCII
# punctuation character may be backslash-escaped in CommonMark, so these are shown as typed.
_TEAMS_MARKUP = set("\\`*_{}[]()<>#+-.!|~")


def _teams_escape(text: str) -> str:
    """Text for a TextBlock, shown as typed: no link, emphasis or list made of a title."""
    return "".join(f"\\{char}" if char in _TEAMS_MARKUP else char for char in text)


def slack_message(title: str, summary: str, url: str | None) -> dict:
    """A Block Kit message: the title (linked to the content page), the summary, a button."""
    heading = f"*{_slack_escape(title)}*"
    if url:
        heading = f"*<{url}|{_slack_escape(title)}>*"
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": heading}}]
    if summary:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(summary)}}
        )
    if url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Share it"},
                        "url": url,
                    }
                ],
            }
        )
    # `text` is the notification and screen-reader fallback Slack asks for beside blocks.
    return {"text": _slack_escape(title), "blocks": blocks}


def teams_message(title: str, summary: str, url: str | None) -> dict:
    """A message with one Adaptive Card (schema 1.4): title, summary, an "open" action."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": _teams_escape(title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if summary:
        body.append({"type": "TextBlock", "text": _teams_escape(summary), "wrap": True})
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Share it", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
