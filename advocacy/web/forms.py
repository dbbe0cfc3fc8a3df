"""Bridges between WTForms and service errors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from advocacy.errors import ServiceError


def apply_errors(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's field errors on the form's fields (unknown fields go to the form itself)."""
    if not error.errors:
        form.form_errors.append(error.detail)
        return
    for name, messages in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)


class StyleguideForm(FlaskForm):
    """The form fields the style guide shows: one with help, one with an error."""

    class Meta:
        csrf = False

    name = StringField("Display name", description="As colleagues will see it.")
    zone = StringField("Time zone")
    agree = BooleanField("Send me the weekly digest")
