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
from advocacy.feeds.links import variant_index, x_text_budget
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


# How many characters each network shows of a post (X's is what is left once the link and
# the disclosure are added; e-mail and a copied link have no limit).
CHARACTER_LIMITS = {Network.LINKEDIN: 3000, Network.FACEBOOK: 63206, Network.XING: 420}


@dataclass
class ShareOption:
    """One network's tab in the share dialog: the caption variants to pick from, the sharer's
    own, the character limit, and (after sharing) the result."""

    network: Network
    caption: str  # the sharer's variant, without the disclosure
    final_caption: str
    action_url: str
    variants: list[str]
    variant_index: int
    form: ShareForm
    limit: int | None
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
    variants = sharing.caption_variants(item, network.value)
    disclosure = compliance.disclosure()
    limit = CHARACTER_LIMITS.get(network)
    if network == Network.X:
        limit = x_text_budget(disclosure)
    return ShareOption(
        network=network,
        caption=caption,
        final_caption=compliance.with_disclosure(caption, disclosure),
        action_url=url_for("feeds.share_now", content_id=item.id, network=network.value),
        variants=variants,
        variant_index=variant_index(user.id, item.id, len(variants)),
        form=form,
        limit=limit,
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


def share_panel_context(
    item: Content, user: User, replaced: ShareOption | None = None, chosen: str | None = None
) -> dict:
    """The share panel (the dialog on the feed, the section of the content page): one tab per
    network, the policy to acknowledge inline the first time, or why this cannot be shared.
    `replaced` is a share option to show as answered, `chosen` the network whose tab is open."""
    block = _share_block(item, user)
    needs_policy = block is not None and "social media policy" in block
    options = []
    if block is None or needs_policy:
        for network in (*CAPTION_NETWORKS, Network.LINK):
            if replaced is not None and replaced.network == network:
                options.append(replaced)
            else:
                options.append(share_option(item, user, network))
    chosen = replaced.network.value if replaced is not None else chosen
    return {
        "item": item,
        "share_block": None if needs_policy else block,
        "needs_policy": needs_policy,
        "policy": compliance.current_policy() if needs_policy else None,
        "options": options,
        "chosen_network": chosen if chosen in {o.network.value for o in options} else "linkedin",
        "my_shares": sharing.shares_of(user, item),
        "disclosure": compliance.disclosure(),
        "sharer": user,
        "network_labels": {network.value: network.label for network in Network},
    }


def content_page_context(
    item: Content, user: User, replaced: ShareOption | None = None, chosen: str | None = None
) -> dict:
    """Everything the content page needs; `replaced` is a share option to show as answered."""
    stakeholder = (
        user.is_curator or workflow.is_author(user, item) or workflow.can_approve(user, item)
    )
    return {
        **share_panel_context(item, user, replaced, chosen),
        "state": state_label(item),
        "actions": workflow.allowed_actions(user, item),
        "can_edit": workflow.can_edit(user, item),
        "review_form": ReviewForm(formdata=None),
        "events": content.content_events(item) if stakeholder else [],
        "stakeholder": stakeholder,
        "audience": audience_summary(item),
        "panels": load_panels(user, [item], "page"),
    }


@dataclass(frozen=True)
class SharedIds:
    """What a lone card needs of a feed page: whether the reader shared it."""

    shared_ids: set[int]


def card_context(item: Content, user: User) -> dict:
    """One feed card's context, outside a feed page (refreshed after a share)."""
    shared = {item.id} if sharing.shares_of(user, item) else set()
    return {
        "item": item,
        "feed": SharedIds(shared),
        "feed_url": url_for("home.index"),
        "card_panels": load_panels(user, [item], "card"),
    }
