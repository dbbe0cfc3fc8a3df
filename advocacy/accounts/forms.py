"""Accounts forms: sign-in, password reset, invitations, profile, password change, tokens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TimeField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from advocacy.accounts.models import EMAIL_MAX, NAME_MAX, SHORT_TEXT_MAX
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
        description="An IANA name such as America/Vancouver, Europe/London or Asia/Singapore.",
    )
    working_hours_start = TimeField("Working day starts", validators=[Optional()])
    working_hours_end = TimeField("Working day ends", validators=[Optional()])
    languages = StringField(
        "Languages",
        validators=[Length(max=200)],
        description="Language codes separated by commas, e.g. en, fr.",
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
