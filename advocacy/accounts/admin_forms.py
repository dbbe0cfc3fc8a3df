"""Forms of the admin pages (users, import, organisation) and the team pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from advocacy.accounts.models import EMAIL_MAX, NAME_MAX, Role

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
