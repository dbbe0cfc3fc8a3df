"""The bridge's form: a post proposed as shareable content, with the fields curators review."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from advocacy.discussions.bridge.service import Proposal
from advocacy.feeds.models import SUMMARY_MAX, URL_MAX, ContentKind
from advocacy.feeds.models import TITLE_MAX as CONTENT_TITLE_MAX


class ProposalForm(FlaskForm):
    """A post proposed as shareable content: what the curators will review."""

    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(ContentKind.LINK.value, ContentKind.LINK.label),
            SelectChoice(ContentKind.CULTURE_STORY.value, ContentKind.CULTURE_STORY.label),
        ],
        default=ContentKind.LINK.value,
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=CONTENT_TITLE_MAX)])
    destination_url = StringField(
        "Web address to share",
        validators=[Length(max=URL_MAX)],
        description="https://… The public page people will land on, e.g. a blog post or a news "
        "article. The link back to this post is kept for the curators separately.",
    )
    summary = TextAreaField(
        "Summary",
        validators=[Length(max=SUMMARY_MAX)],
        description="What the curators, and once approved your colleagues, read about it.",
    )

    def proposal(self) -> Proposal:
        return Proposal(
            title=self.title.data or "",
            destination_url=self.destination_url.data or "",
            summary=self.summary.data or "",
            kind=self.kind.data or "",
        )
