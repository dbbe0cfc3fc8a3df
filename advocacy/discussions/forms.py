"""Discussion forms: spaces, membership, threads, replies, flags and assignment.
Field limits mirror the services, which check everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from advocacy.discussions.models import (
    BODY_MAX,
    FLAG_REASON_MAX,
    SPACE_DESCRIPTION_MAX,
    SPACE_NAME_MAX,
    TITLE_MAX,
)

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
