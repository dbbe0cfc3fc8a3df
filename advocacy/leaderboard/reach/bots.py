"""Is a user agent a robot? The crawler-user-agents list (1,500+ maintained patterns, with the
link-preview fetchers of Slack, LinkedIn, X, Facebook, WhatsApp, Telegram, Discord and Skype/Teams)
plus a few preview fetchers and HTTP tools it lacks. Answers are cached per user agent: the same
few hundred agents make nearly all traffic, and the pattern search costs ~100 µs."""

from __future__ import annotations

import re
from functools import lru_cache

from crawleruseragents import is_crawler

# Preview fetchers and tools not (or not reliably) in the list, matched case-insensitively.
EXTRA_BOT_PATTERN = re.compile(
    r"Slackbot-LinkExpanding|SkypeUriPreview|Microsoft Teams|MicrosoftPreview|"
    r"Iframely|Embedly|redditbot|Mastodon|Pleroma|Bluesky|Cardyb|Google-PageRenderer|"
    r"HeadlessChrome|python-requests|python-httpx|aiohttp|curl/|Wget/|Go-http-client|okhttp|"
    r"axios/|node-fetch|undici|Java/|libwww-perl|PhantomJS|Apache-HttpClient",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for crawlers, preview fetchers, HTTP libraries and an empty user agent (browsers
    always send one, so a request without it is a script)."""
    if not user_agent.strip():
        return True
    return bool(EXTRA_BOT_PATTERN.search(user_agent)) or is_crawler(user_agent)
