"""Admin pages of the feed: compliance (disclosure, blocked terms, policy versions) and sources."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required
from advocacy.errors import Conflict, ValidationFailed
from advocacy.feeds import compliance, sources
from advocacy.feeds.forms import BlockedTermsForm, DisclosureForm, PolicyForm, SourceForm
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, redirect_or_refresh, render

bp = Blueprint("feeds_admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins."""


def _compliance_page(
    status: int = 200, fragment: str | None = None, trigger: str | None = None, **forms
):
    forms.setdefault(
        "disclosure_form",
        DisclosureForm(formdata=None, disclosure=compliance.get_settings().disclosure),
    )
    forms.setdefault("terms_form", BlockedTermsForm(formdata=None))
    forms.setdefault("policy_form", PolicyForm(formdata=None))
    return render(
        "feeds/admin_compliance.html",
        fragment,
        status=status,
        trigger=trigger,
        terms=compliance.list_blocked_terms(),
        versions=compliance.list_policy_versions(),
        **forms,
    )


def _done(message: str):
    flash(message, "success")
    return redirect_or_refresh(url_for("feeds_admin.compliance_settings"))


@bp.get("/compliance")
def compliance_settings():
    """The disclosure, the blocked terms and the social media policy."""
    return _compliance_page()


@bp.post("/compliance/disclosure")
def disclosure():
    """Set the disclosure appended to every shared caption."""
    form = DisclosureForm()
    if form.validate_on_submit():
        try:
            compliance.set_disclosure(form.disclosure.data or "", current_user)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            return _done("The disclosure is saved.")
    return _compliance_page(422, disclosure_form=form)


@bp.post("/compliance/terms")
def add_terms():
    """Block more words or phrases."""
    form = BlockedTermsForm()
    if form.validate_on_submit():
        try:
            added = compliance.add_blocked_terms(form.terms.data, current_user)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            message = f"{len(added)} blocked {'term' if len(added) == 1 else 'terms'} added."
            flash(message, "success")
            return fragment_or_redirect(
                lambda: _compliance_page(200, "feeds/_blocked_terms.html", trigger="termsChanged"),
                url_for("feeds_admin.compliance_settings"),
            )
    return _compliance_page(422, "feeds/_blocked_terms.html", terms_form=form)


@bp.post("/compliance/terms/<int:term_id>/remove")
def remove_term(term_id: int):
    """Unblock a word or phrase."""
    term = compliance.remove_blocked_term(term_id)
    return _done(f"“{term.term}” is no longer blocked.")


@bp.post("/compliance/policy")
def publish_policy():
    """Publish a new version of the social media policy."""
    form = PolicyForm()
    if form.validate_on_submit():
        try:
            policy = compliance.publish_policy(form.title.data, form.body.data, current_user)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            return _done(f"Version {policy.version} is in force; everyone acknowledges it anew.")
    return _compliance_page(422, policy_form=form)


def _sources_page(status: int = 200, form: SourceForm | None = None):
    return render(
        "feeds/admin_sources.html",
        "feeds/_sources.html",
        status=status,
        sources=sources.list_sources(),
        form=form or SourceForm(formdata=None),
    )


@bp.get("/sources")
def sources_index():
    """RSS/Atom sources with their health."""
    return _sources_page()


@bp.post("/sources")
def add_source():
    """Register a feed."""
    form = SourceForm()
    if form.validate_on_submit():
        try:
            source = sources.add_source(
                form.name.data, form.url.data, form.content_kind.data, current_user
            )
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error)
            return _sources_page(error.status, form)
        flash(f"{source.name} is added; it is fetched within a few minutes.", "success")
        return redirect_or_refresh(url_for("feeds_admin.sources_index"))
    return _sources_page(422, form)


@bp.post("/sources/<int:source_id>/fetch")
def fetch_source(source_id: int):
    """Fetch a source now."""
    source = sources.get_source(source_id)
    sources.fetch_now(source)
    flash(f"{source.name} is being fetched.", "success")
    return redirect_or_refresh(url_for("feeds_admin.sources_index"))


@bp.post("/sources/<int:source_id>/pause")
def pause_source(source_id: int):
    """Stop or resume fetching a source."""
    source = sources.get_source(source_id)
    sources.set_source_active(source, not source.active)
    flash(f"{source.name} is {'resumed' if source.active else 'paused'}.", "success")
    return redirect_or_refresh(url_for("feeds_admin.sources_index"))
