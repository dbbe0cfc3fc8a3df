"""What the content page shows, gathered in one place so the page and its fragments agree:
the state as a reader understands it, the allowed actions, and one share option per network."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from advocacy.accounts.models import Team, User
from advocacy.errors import ServiceError
from advocacy.extensions import db
from advocacy.feeds import compliance, content, sharing, workflow
from advocacy.feeds.forms import ReviewForm, ShareForm
from advocacy.feeds.models import (
    CAPTION_NETWORKS,
    AudienceDimension,
    Content,
    ContentState,
    Network,
    location_key,
)
from advocacy.feeds.panels import load_panels
from advocacy.models_base import utcnow

# Networks whose share dialog takes only the link: the sharer pastes the caption themself.
LINK_ONLY = {Network.LINKEDIN, Network.FACEBOOK, Network.XING}


def opens_new_tab(network: Network) -> bool:
    """A network's share dialog opens in a new tab; e-mail does not: its mailto: link hands over
    to the mail program, and a tab opened for it would stay behind, blank."""
    return network != Network.EMAIL


def state_label(item: Content) -> str:
    """The state in a reader's words: approved content is "scheduled" or "published"."""
    if item.state == ContentState.APPROVED:
        return "published" if item.is_live(utcnow()) else "scheduled"
    return item.state


@dataclass
class ShareOption:
    """One network's share button, caption, edit form and (after sharing) the result."""

    network: Network
    caption: str  # the sharer's variant, without the disclosure
    final_caption: str
    one_click_url: str
    variants: list[str]
    form: ShareForm
    result: sharing.ShareResult | None = None

    @property
    def label(self) -> str:
        return self.network.label

    @property
    def link_only(self) -> bool:
        return self.network in LINK_ONLY

    @property
    def opens_new_tab(self) -> bool:
        return opens_new_tab(self.network)


def share_option(
    item: Content,
    user: User,
    network: Network,
    form: ShareForm | None = None,
    result: sharing.ShareResult | None = None,
) -> ShareOption:
    """The share option of one network for this sharer."""
    caption = sharing.suggested_caption(user, item, network)
    if form is None:
        form = ShareForm(formdata=None, network=network.value, caption=caption)
    token = sharing.share_token(user.id, item.id, network.value)
    return ShareOption(
        network=network,
        caption=caption,
        final_caption=compliance.with_disclosure(caption, compliance.disclosure()),
        one_click_url=url_for(
            "feeds.share_now", content_id=item.id, network=network.value, t=token
        ),
        variants=item.captions_for(network.value),
        form=form,
        result=result,
    )


def _share_block(item: Content, user: User) -> str | None:
    """Why this user cannot share the item now (None when they can)."""
    try:
        sharing.check_shareable(user, item)
    except ServiceError as error:
        return error.detail
    return None


def audience_summary(item: Content) -> dict[str, list[str]]:
    """The audience in words, per dimension (empty when the content is for everyone)."""
    return audience_summaries([item])[item.id]


def audience_summaries(items: list[Content]) -> dict[int, dict[str, list[str]]]:
    """`audience_summary` for many items with two queries in all, not two per item (the review
    queue lists up to 200)."""
    team_ids = set().union(*(item.audience_team_ids for item in items)) if items else set()
    team_names = {}
    if team_ids:
        team_names = dict(
            db.session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all()
        )
    spelled = {location_key(name): name for name in content.location_choices()} if items else {}
    summaries = {}
    for item in items:
        summary = {
            "Teams": sorted(team_names[i] for i in item.audience_team_ids if i in team_names),
            "Locations": [
                spelled.get(key, key) for key in item.audience_values(AudienceDimension.LOCATION)
            ],
            "Languages": item.audience_values(AudienceDimension.LANGUAGE),
        }
        summaries[item.id] = {name: values for name, values in summary.items() if values}
    return summaries


def content_page_context(item: Content, user: User, replaced: ShareOption | None = None) -> dict:
    """Everything the content page needs; `replaced` is a share option to show as answered."""
    stakeholder = (
        user.is_curator or workflow.is_author(user, item) or workflow.can_approve(user, item)
    )
    block = _share_block(item, user)
    needs_policy = block is not None and "social media policy" in block
    options = []
    if block is None or needs_policy:
        for network in (*CAPTION_NETWORKS, Network.LINK):
            if replaced is not None and replaced.network == network:
                options.append(replaced)
            else:
                options.append(share_option(item, user, network))
    return {
        "item": item,
        "state": state_label(item),
        "actions": workflow.allowed_actions(user, item),
        "can_edit": workflow.can_edit(user, item),
        "review_form": ReviewForm(formdata=None),
        "events": content.content_events(item) if stakeholder else [],
        "stakeholder": stakeholder,
        "audience": audience_summary(item),
        "share_block": None if needs_policy else block,
        "needs_policy": needs_policy,
        "options": options,
        "my_shares": sharing.shares_of(user, item),
        "disclosure": compliance.disclosure(),
        "panels": load_panels(user, [item], "page"),
    }


# --- one-click sharing from the feed's cards ------------------------------------------------

_ID_PLACEHOLDER = "2147483647"
_TOKEN_PLACEHOLDER = "0" * 32


@dataclass(frozen=True, slots=True)
class CardShare:
    """One network's button on a feed card."""

    network: str
    label: str
    name_suffix: str  # the button is named "Share <title> <name_suffix>"
    new_tab: bool
    url: str


class CardShareLinks:
    """The one-click share links of the feed's cards: the same links as the content page's
    "Share on ..." buttons (the sharer's token, the policy gate and the recorded intent all
    happen in `feeds.share_now`). A card costs no query: each network's URL is built once per
    page and filled in with the content id and the sharer's token (an HMAC)."""

    def __init__(self, user: User):
        self.sign = sharing.share_token_signer(user.id)
        self.networks = []
        for network in CAPTION_NETWORKS:
            url = url_for(
                "feeds.share_now",
                content_id=int(_ID_PLACEHOLDER),
                network=network.value,
                t=_TOKEN_PLACEHOLDER,
            )
            before_id, after_id = url.split(_ID_PLACEHOLDER, 1)
            before_token, after_token = after_id.split(_TOKEN_PLACEHOLDER, 1)
            suffix = "by e-mail" if network == Network.EMAIL else f"on {network.label}"
            parts = (before_id, before_token, after_token)
            self.networks.append(
                (network.value, network.label, suffix, opens_new_tab(network), parts)
            )

    def for_item(self, item: Content) -> list[CardShare]:
        """The card's share buttons (none for internal-only content)."""
        if item.internal_only:
            return []
        content_id = str(item.id)
        return [
            CardShare(
                value,
                label,
                suffix,
                new_tab,
                f"{before_id}{content_id}{before_token}{self.sign(item.id, value)}{after_token}",
            )
            for value, label, suffix, new_tab, (before_id, before_token, after_token) in (
                self.networks
            )
        ]
