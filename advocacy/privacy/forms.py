"""The erasure confirmation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class EraseForm(FlaskForm):
    confirm_email = StringField(
        "Type your e-mail address to confirm",
        validators=[DataRequired(), Length(max=254)],
    )
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
