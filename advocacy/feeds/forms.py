"""Feed forms: content, review notes, bulk review, sharing, topics, compliance and sources."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from advocacy.errors import ValidationFailed
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import (
    CAMPAIGN_MAX,
    CAPTION_NETWORKS,
    DISCLOSURE_MAX,
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    URL_MAX,
    ContentKind,
    location_key,
)
from advocacy.feeds.times import local_to_utc, utc_to_local

VARIANT_SEPARATOR = "---"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in ContentKind]
# Generous limits on the raw textareas; the service checks each variant precisely.
CAPTIONS_FIELD_MAX = 5 * 3000 + 100


class ContentForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES, default=ContentKind.LINK.value)
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    destination_url = StringField(
        "Web address to share",
        validators=[Length(max=URL_MAX)],
        description="https://… The page people land on. Optional for internal announcements.",
    )
    summary = TextAreaField("Summary", validators=[Length(max=SUMMARY_MAX)])
    image_url = StringField(
        "Image address", validators=[Length(max=URL_MAX)], description="Optional, https:// only."
    )
    topics = StringField(
        "Topics", validators=[Length(max=400)], description="Separated by commas, e.g. culture, AI."
    )
    campaign = StringField(
        "Campaign",
        validators=[Length(max=CAMPAIGN_MAX)],
        description="Optional; becomes utm_campaign on every tracked link.",
    )
    captions_linkedin = TextAreaField(
        "LinkedIn captions", validators=[Length(max=CAPTIONS_FIELD_MAX)]
    )
    captions_x = TextAreaField("X captions", validators=[Length(max=CAPTIONS_FIELD_MAX)])
    captions_facebook = TextAreaField(
        "Facebook captions", validators=[Length(max=CAPTIONS_FIELD_MAX)]
    )
    captions_xing = TextAreaField("Xing captions", validators=[Length(max=CAPTIONS_FIELD_MAX)])
    captions_email = TextAreaField("E-mail captions", validators=[Length(max=CAPTIONS_FIELD_MAX)])
    captions_editable = BooleanField("Sharers may edit the caption")
    internal_only = BooleanField("Internal only (never shared outside)")
    teams = SelectMultipleField("Teams", coerce=int, choices=[], validate_choice=True)
    locations = SelectMultipleField("Locations", choices=[], validate_choice=True)
    languages = SelectMultipleField("Languages", choices=[], validate_choice=True)
    publish_at = DateTimeLocalField("Publish at", format=DATETIME_FORMAT, validators=[Optional()])
    expire_at = DateTimeLocalField("Expire at", format=DATETIME_FORMAT, validators=[Optional()])

    def __init__(self, *args, teams=(), locations=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams.choices = [SelectChoice(team_id, name) for team_id, name in teams]
        self.locations.choices = [SelectChoice(location_key(value), value) for value in locations]
        self.languages.choices = [SelectChoice(value) for value in languages]

    def caption_fields(self):
        """The caption textareas, in network order."""
        return [getattr(self, f"captions_{network.value}") for network in CAPTION_NETWORKS]

    def fill_from(self, data: ContentInput, zone: str) -> None:
        """Show existing content's values, times in the author's zone."""
        for name in (
            "kind",
            "title",
            "destination_url",
            "summary",
            "image_url",
            "campaign",
            "captions_editable",
            "internal_only",
            "teams",
            "locations",
            "languages",
        ):
            getattr(self, name).data = getattr(data, name)
        self.topics.data = ", ".join(data.topics)
        for network in CAPTION_NETWORKS:
            variants = data.captions.get(network.value, [])
            getattr(self, f"captions_{network.value}").data = f"\n{VARIANT_SEPARATOR}\n".join(
                variants
            )
        self.publish_at.data = utc_to_local(data.publish_at, zone)
        self.expire_at.data = utc_to_local(data.expire_at, zone)

    def content_input(self, zone: str) -> ContentInput:
        """What was entered, times converted from the author's zone to UTC (ValidationFailed
        for a local time that does not exist there)."""
        errors: dict[str, list[str]] = {}
        times = {}
        for name in ("publish_at", "expire_at"):
            value = getattr(self, name).data
            try:
                times[name] = local_to_utc(value, zone, name) if value else None
            except ValidationFailed as error:
                errors.update(error.errors)
                times[name] = None
        if errors:
            raise ValidationFailed("Some times are not valid.", errors)
        return ContentInput(
            title=self.title.data or "",
            kind=self.kind.data,
            destination_url=self.destination_url.data or "",
            summary=self.summary.data or "",
            image_url=self.image_url.data or "",
            topics=(self.topics.data or "").split(","),
            campaign=self.campaign.data or "",
            captions={
                network.value: split_variants(getattr(self, f"captions_{network.value}").data)
                for network in CAPTION_NETWORKS
            },
            captions_editable=self.captions_editable.data,
            internal_only=self.internal_only.data,
            teams=self.teams.data or [],
            locations=self.locations.data or [],
            languages=self.languages.data or [],
            **times,
        )


def split_variants(text: str | None) -> list[str]:
    """Caption variants typed in one textarea, separated by a line holding only ---."""
    variants, current = [], []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.strip() == VARIANT_SEPARATOR:
            variants.append("\n".join(current))
            current = []
        else:
            current.append(line)
    variants.append("\n".join(current))
    return [v.strip() for v in variants if v.strip()]


class ReviewForm(FlaskForm):
    note = TextAreaField(
        "Note to the author",
        validators=[Length(max=NOTE_MAX)],
        description="Required when rejecting: say what to change.",
    )


class BulkReviewForm(FlaskForm):
    content_ids = SelectMultipleField("Selected", coerce=int, choices=[], validate_choice=False)
    action = HiddenField()
    note = TextAreaField(
        "Note to the authors (required to reject)", validators=[Length(max=NOTE_MAX)]
    )


class ShareForm(FlaskForm):
    network = HiddenField(validators=[DataRequired()])
    caption = TextAreaField("Your caption", validators=[Optional(), Length(max=3100)])


class DisclosureForm(FlaskForm):
    disclosure = StringField(
        "Disclosure",
        validators=[Length(max=DISCLOSURE_MAX)],
        description="Appended to every shared caption, e.g. #AcmeEmployee. Empty for none.",
    )


class BlockedTermsForm(FlaskForm):
    terms = TextAreaField(
        "Words or phrases to block",
        validators=[DataRequired(), Length(max=20_000)],
        description="One per line. Matched as whole words, whatever the case.",
    )


class PolicyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField("Policy text", validators=[DataRequired(), Length(max=50_000)])


class SourceForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=TITLE_MAX)])
    url = StringField(
        "Feed address",
        validators=[DataRequired(), Length(max=URL_MAX)],
        description="The RSS or Atom feed's https:// address.",
    )
    content_kind = SelectField(
        "Entries become",
        choices=[c for c in KIND_CHOICES if c.value != ContentKind.ANNOUNCEMENT],
        default=ContentKind.LINK.value,
    )


def content_form_errors(error: ValidationFailed) -> ValidationFailed:
    """The service's errors keyed by form field: `captions.x.0` belongs to `captions_x`."""
    errors: dict[str, list[str]] = {}
    for name, messages in error.errors.items():
        parts = name.split(".")
        field = f"captions_{parts[1]}" if parts[0] == "captions" and len(parts) > 1 else name
        errors.setdefault(field, []).extend(messages)
    return ValidationFailed(error.detail, errors)
