"""Accounts forms: sign-in, password reset, invitations, profile, password change, tokens, and the
admin pages (invitations, roles, CSV import, the organisation, teams)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from advocacy.accounts.models import EMAIL_MAX, NAME_MAX, SHORT_TEXT_MAX, Role
from advocacy.accounts.passwords import PASSWORD_MAX, PASSWORD_MIN


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX)])


class NewPasswordForm(FlaskForm):
    """Used to reset a password and to accept an invitation."""

    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
        description=f"At least {PASSWORD_MIN} characters. A long phrase is easiest to remember.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
    )


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=NAME_MAX)])
    job_title = StringField("Job title", validators=[Length(max=SHORT_TEXT_MAX)])
    department = StringField("Department", validators=[Length(max=SHORT_TEXT_MAX)])
    location = StringField("Location", validators=[Length(max=SHORT_TEXT_MAX)])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        description="Type a city or region to search, e.g. Vancouver, London, Singapore.",
    )
    working_hours_start = TimeField("Working day starts", validators=[Optional()])
    working_hours_end = TimeField("Working day ends", validators=[Optional()])
    languages = StringField(
        "Languages",
        validators=[Length(max=200)],
        description="Language codes separated by commas, e.g. en, fr.",
    )

    @classmethod
    def for_user(cls, user) -> ProfileForm:
        """The form filled from the account (languages as the text a person types, not a list)."""
        form = cls(formdata=None, obj=user)
        form.languages.data = ", ".join(user.languages or [])
        return form


class PictureForm(FlaskForm):
    picture = FileField(
        "Profile picture",
        validators=[FileRequired("Choose a picture (JPEG, PNG, GIF or WebP).")],
        description="A square crop of it is shown beside your name.",
    )


class AppearanceForm(FlaskForm):
    theme = RadioField(
        "Appearance",
        choices=[
            SelectChoice("system", "As my device"),
            SelectChoice("light", "Light"),
            SelectChoice("dark", "Dark"),
        ],
        default="system",
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)]
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Label",
        validators=[DataRequired(), Length(max=80)],
        description="What the token is for, e.g. 'reporting script'.",
    )


ROLE_CHOICES = [
    SelectChoice(Role.MEMBER.value, "Member"),
    SelectChoice(Role.CURATOR.value, "Curator"),
    SelectChoice(Role.ADMIN.value, "Admin"),
]


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    display_name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)
    teams = SelectMultipleField(
        "Teams",
        choices=[],
        validate_choice=True,
        description="Optional. Hold Ctrl (or ⌘) to choose several.",
    )

    def __init__(self, *args, team_names: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams.choices = [SelectChoice(name) for name in team_names]


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        render_kw={"accept": ".csv,text/csv"},
    )
    import_valid_rows = BooleanField("Import the valid rows even if some rows have errors")
    send_invitations = BooleanField("Send invitations to the imported users", default=True)


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[DataRequired(), Length(max=NAME_MAX)])
    default_timezone = SelectField(
        "Default time zone",
        choices=[],
        description="New users start in this zone; each can change their own.",
    )

    def __init__(self, *args, timezones: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.default_timezone.choices = [SelectChoice(name) for name in timezones]


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=NAME_MAX)])
    description = TextAreaField("Description", validators=[Length(max=2000)])


class AddMemberForm(FlaskForm):
    email = EmailField(
        "E-mail of the person to add", validators=[DataRequired(), Length(max=EMAIL_MAX)]
    )
    leader = BooleanField("Make them a leader of the team")
