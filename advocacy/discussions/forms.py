"""Discussion forms: spaces, membership, threads, replies, flags, assignment and preferences.
Field limits mirror the services, which check everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from advocacy.discussions.bridge.service import Proposal
from advocacy.discussions.models import (
    BODY_MAX,
    FLAG_REASON_MAX,
    SPACE_DESCRIPTION_MAX,
    SPACE_NAME_MAX,
    TITLE_MAX,
)
from advocacy.discussions.notifications.models import HANDLE_MAX
from advocacy.feeds.models import SUMMARY_MAX, URL_MAX, ContentKind
from advocacy.feeds.models import TITLE_MAX as CONTENT_TITLE_MAX

MARKDOWN_HINT = (
    "Markdown works: **bold**, _italic_, `code`, > quotes, lists and links. "
    "Mention people with @handle."
)


class SpaceForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=SPACE_NAME_MAX)])
    description = TextAreaField("Description", validators=[Length(max=SPACE_DESCRIPTION_MAX)])
    visibility = SelectField(
        "Who can see it",
        choices=[
            SelectChoice("public", "Public: everyone reads and writes"),
            SelectChoice("private", "Private: listed, members read and write"),
            SelectChoice("secret", "Secret: only members know it exists"),
        ],
        default="public",
    )
    official = BooleanField("Official: only moderators start threads (admins only)")


class SpaceEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=SPACE_NAME_MAX)])
    description = TextAreaField("Description", validators=[Length(max=SPACE_DESCRIPTION_MAX)])


class AddSpaceMemberForm(FlaskForm):
    email = EmailField("E-mail of the person to add", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("member", "Member"),
            SelectChoice("moderator", "Moderator"),
            SelectChoice("owner", "Owner"),
        ],
        default="member",
    )


class JoinRequestForm(FlaskForm):
    message = TextAreaField("Message to the moderators (optional)", validators=[Length(max=500)])


class ThreadForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "What would you like to say?",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=MARKDOWN_HINT,
    )
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice("discussion", "Discussion"),
            SelectChoice("question", "Question (someone can answer it)"),
            SelectChoice("announcement", "Announcement (readers acknowledge it; moderators only)"),
        ],
        default="discussion",
    )
    tags = StringField(
        "Tags",
        validators=[Length(max=200)],
        description="Up to five, separated by commas, e.g. onboarding, payroll.",
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired(), Length(max=BODY_MAX)], description=MARKDOWN_HINT
    )
    quote_of = HiddenField()


class EditPostForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "Text", validators=[DataRequired(), Length(max=BODY_MAX)], description=MARKDOWN_HINT
    )


class FlagForm(FlaskForm):
    reason = TextAreaField(
        "What is wrong with this post?",
        validators=[DataRequired(), Length(max=FLAG_REASON_MAX)],
        description="Only the space's moderators see this.",
    )


class AssignForm(FlaskForm):
    assignee_id = SelectField("Ask a colleague to answer", coerce=int, validate_choice=False)


class PreferencesForm(FlaskForm):
    handle = StringField(
        "Your @handle",
        validators=[DataRequired(), Length(max=HANDLE_MAX)],
        description="Colleagues mention you with @ and this handle.",
    )
    email_mention = BooleanField("E-mail me when someone mentions me")
    email_reply = BooleanField("E-mail me about replies to my threads")
    email_assignment = BooleanField("E-mail me when a question is assigned to me")
    email_announcement = BooleanField("E-mail me announcements")
    digest = SelectField(
        "Digest e-mail",
        choices=[
            SelectChoice("daily", "Daily"),
            SelectChoice("weekly", "Weekly"),
            SelectChoice("off", "Off"),
        ],
        default="daily",
    )
    digest_hour = IntegerField(
        "Send it at (hour, your time)",
        validators=[NumberRange(min=0, max=23)],
        default=8,
        description="0 to 23, your time. Skipped when you were here since the last one.",
    )
    digest_weekday = SelectField(
        "Weekly digests on",
        coerce=int,
        choices=[
            SelectChoice(number, name)
            for number, name in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            )
        ],
        default=0,
    )
    quiet_start = TimeField("Quiet hours start", validators=[Optional()])
    quiet_end = TimeField(
        "Quiet hours end",
        validators=[Optional()],
        description="No e-mail is sent between these times; it waits until they end.",
    )


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
