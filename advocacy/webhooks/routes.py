"""Admin pages for webhooks: subscriptions, the secret shown once, the delivery log, a test."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required
from advocacy.errors import ValidationFailed
from advocacy.web.csv_downloads import csv_response, wants_bom
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render
from advocacy.webhooks import outbox, subscriptions
from advocacy.webhooks.forms import SubscriptionForm

bp = Blueprint("webhooks_admin", __name__, url_prefix="/admin/webhooks")


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins."""


def _index_page(form: SubscriptionForm | None = None, status: int = 200, **extra):
    return render(
        "webhooks/index.html",
        "webhooks/_subscribe.html",
        status=status,
        subscriptions=subscriptions.list_subscriptions(),
        form=form or SubscriptionForm(formdata=None),
        **extra,
    )


@bp.get("/")
def index():
    """Every subscription with its health, and the form to add one."""
    return _index_page()


@bp.post("/")
def create():
    """Subscribe a URL; the signing secret is shown on the answer, and never again."""
    form = SubscriptionForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    data = subscriptions.SubscriptionInput(
        name=form.name.data,
        url=form.url.data,
        kind=form.kind.data,
        events=form.events.data,
        space_ids=form.space_ids.data or [],
    )
    try:
        subscription, secret = subscriptions.create_subscription(data, current_user)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _index_page(form, error.status)
    return render("webhooks/created.html", status=201, subscription=subscription, secret=secret)


@bp.get("/<int:subscription_id>")
def show(subscription_id: int):
    """A subscription and its delivery log (latest 50; the CSV has them all)."""
    subscription = subscriptions.get_subscription(subscription_id)
    return render(
        "webhooks/show.html",
        "webhooks/_log.html",
        subscription=subscription,
        deliveries=subscriptions.recent_deliveries(subscription),
        space_names=subscriptions.scoped_space_names(subscription),
    )


@bp.post("/<int:subscription_id>/test")
def send_test(subscription_id: int):
    """Send a `webhook.test` event now; its result appears in the log."""
    subscription = subscriptions.get_subscription(subscription_id)
    delivery = outbox.record_test_event(subscription)
    flash(f"Test sent to {subscription.url}: see delivery #{delivery.id} below.", "success")
    return redirect_or_refresh(url_for("webhooks_admin.show", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/active")
def set_active(subscription_id: int):
    """Turn a subscription on (forgetting past failures) or off."""
    subscription = subscriptions.get_subscription(subscription_id)
    active = request.form.get("active") == "1"
    subscriptions.set_active(subscription, active, current_user)
    flash(f"“{subscription.name}” is {'on' if active else 'off'}.", "success")
    return redirect_or_refresh(url_for("webhooks_admin.show", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/secret")
def replace_secret(subscription_id: int):
    """Sign with a new secret from now on; it is shown on the answer only."""
    subscription = subscriptions.get_subscription(subscription_id)
    secret = subscriptions.replace_secret(subscription, current_user)
    return render("webhooks/created.html", subscription=subscription, secret=secret)


@bp.post("/<int:subscription_id>/delete")
def delete(subscription_id: int):
    """Remove a subscription and its log."""
    subscription = subscriptions.get_subscription(subscription_id)
    name = subscription.name
    subscriptions.delete_subscription(subscription, current_user)
    flash(f"“{name}” is deleted.", "success")
    return redirect_or_refresh(url_for("webhooks_admin.index"))


@bp.get("/<int:subscription_id>/deliveries.csv")
def deliveries_csv(subscription_id: int):
    """The whole delivery log as CSV (`?excel=1` for Excel)."""
    subscription = subscriptions.get_subscription(subscription_id)
    return csv_response(
        f"webhook-{subscription.id}-deliveries.csv",
        subscriptions.DELIVERY_LOG_HEADER,
        subscriptions.delivery_log_rows(subscription),
        bom=wants_bom(request.args),
    )
