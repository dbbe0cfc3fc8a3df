"""Background entry points for accounts: CSV import and account e-mails."""

from __future__ import annotations

from advocacy.accounts.imports import run_user_import
from advocacy.accounts.models import Invitation, User
from advocacy.accounts.organisation import get_organisation
from advocacy.accounts.tokens import password_reset_token
from advocacy.background.service import fail_job_run
from advocacy.extensions import db
from advocacy.mail import send_mail
from advocacy.web.urls import external_url


def import_users(run_id: int) -> None:
    """Import the users stored in a status row; a crash marks the row failed, imports nothing."""
    try:
        run_user_import(run_id)
    except Exception:
        fail_job_run(
            run_id, "The import failed unexpectedly; nothing was imported. It has been logged."
        )
        raise


def send_invitation(invitation_id: int, secret: str) -> None:
    """E-mail an invitation link (skipped when it was accepted meanwhile)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return
    send_mail(
        invitation.user.email,
        f"You are invited to {get_organisation().name} Advocacy",
        "accounts/email/invitation",
        invitation=invitation,
        organisation=get_organisation(),
        link=external_url("accounts.accept_invitation", token=secret),
    )


def send_password_reset(user_id: int) -> None:
    """E-mail a password-reset link."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return
    send_mail(
        user.email,
        "Reset your Advocacy password",
        "accounts/email/password_reset",
        user=user,
        link=external_url("accounts.reset_password", token=password_reset_token(user)),
    )
