"""Background entry points for webhooks: one delivery attempt, and the periodic retry sweep."""

from __future__ import annotations

from advocacy.jobs import Schedule
from advocacy.webhooks import delivery


def deliver(delivery_id: int) -> None:
    """Make a delivery's due attempt (nothing if another process already made it)."""
    delivery.attempt_delivery(delivery_id)


def retry_due_deliveries() -> None:
    """Queue every delivery whose next attempt is due."""
    delivery.deliver_due()


def prune_delivery_log() -> None:
    """Forget finished deliveries past the retention period."""
    delivery.prune_log()


def schedules(app) -> list[Schedule]:
    """The retry sweep at the app's configured interval, and the daily log pruning."""
    interval = int(app.config["WEBHOOKS_RETRY_INTERVAL"])
    return [
        Schedule("webhooks-retry", retry_due_deliveries, interval, timeout=300),
        Schedule("webhooks-prune", prune_delivery_log, 24 * 3600, timeout=600),
    ]
