"""Pure URL functions: checking submitted URLs, adding tracking parameters to a destination, and
building each network's share-intent URL. No database, no request: easy to test and to reuse."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from advocacy.feeds.models import URL_MAX, Network

UTM_MEDIUM = "employee_advocacy"
REF_PARAM = "adv_ref"  # the conversions API of the leaderboard reads the tracked code from it
TRACKING_PARAMS = ("utm_source", "utm_medium", "utm_campaign", REF_PARAM)
X_TEXT_MAX = 280
X_LINK_LENGTH = 23  # X counts every link as 23 characters, whatever its length


def url_problem(url: str, https_only: bool = False) -> str | None:
    """Why `url` cannot be a destination (None when it can): absolute http(s) with a host,
    no credentials, no spaces or control characters, at most URL_MAX characters."""
    if len(url) > URL_MAX:
        return f"Use at most {URL_MAX} characters."
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "A web address cannot contain spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid web address."
    allowed = ("https",) if https_only else ("http", "https")
    if parts.scheme.lower() not in allowed:
        scheme = "https://" if https_only else "http:// or https://"
        return f"Use a web address starting with {scheme}."
    if not parts.hostname or port == 0:
        return "The web address needs a host name, e.g. https://example.com/page."
    if parts.username is not None or parts.password is not None:
        return "The web address cannot contain a user name or password."
    return None


def with_tracking(destination: str, *, network: str, campaign: str, code: str) -> str:
    """`destination` with utm_source, utm_medium, utm_campaign (when there is one) and adv_ref.

    The destination's own query parameters keep their order and their exact encoding; only
    parameters of ours that it already carries are replaced. The fragment stays last."""
    parts = urlsplit(destination)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.split("=", 1)[0]) not in TRACKING_PARAMS
    ]
    ours = {"utm_source": network, "utm_medium": UTM_MEDIUM}
    if campaign:
        ours["utm_campaign"] = campaign
    ours[REF_PARAM] = code
    query = "&".join([*kept, urlencode(ours, quote_via=quote)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# Where share_intent_url sends a sharer (the page's CSP lets share forms go there).
SHARE_INTENT_ORIGINS = (
    "https://www.linkedin.com",
    "https://twitter.com",
    "https://www.facebook.com",
    "https://www.xing.com",
    "mailto:",
)


def share_intent_url(network: str, tracked_url: str, caption: str, title: str) -> str:
    """The URL that opens `network`'s share dialog with the tracked link (and the caption
    where the network takes text: X and e-mail; LinkedIn, Xing and Facebook take only the
    link, and Facebook's policy forbids prefilled text)."""
    match Network(network):
        case Network.LINKEDIN:
            return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode(
                {"url": tracked_url}, quote_via=quote
            )
        case Network.X:
            return "https://twitter.com/intent/tweet?" + urlencode(
                {"text": caption, "url": tracked_url}, quote_via=quote
            )
        case Network.FACEBOOK:
            return "https://www.facebook.com/sharer/sharer.php?" + urlencode(
                {"u": tracked_url}, quote_via=quote
            )
        case Network.XING:
            return "https://www.xing.com/spi/shares/new?" + urlencode(
                {"url": tracked_url}, quote_via=quote
            )
        case Network.EMAIL:
            body = f"{caption}\n\n{tracked_url}" if caption else tracked_url
            return "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote)
        case Network.LINK:
            return tracked_url


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary with an ellipsis so that it has at most `limit` characters."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-") or text[: limit - 1]
    return cut + "…"


def x_text_budget(disclosure: str) -> int:
    """How many characters an X caption may have once the link and the disclosure are added."""
    return X_TEXT_MAX - X_LINK_LENGTH - 1 - (len(disclosure) + 1 if disclosure else 0)


def variant_index(user_id: int, content_id: int, count: int) -> int:
    """Which of `count` caption variants this sharer gets: stable for the pair, spread evenly
    across colleagues (a hash, so neighbouring ids do not get neighbouring variants)."""
    if count <= 1:
        return 0
    digest = hashlib.sha256(f"{user_id}:{content_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count
