"""Outbound webhooks and chat notifications: signed event deliveries with retries and a log."""
