"""Tiny jobs for the job-runner tests: one that fails, one that does nothing, one that counts."""

from __future__ import annotations

CALLS: list[str] = []


def explode() -> None:
    """Always fail, so the job lands in the failed registry."""
    raise RuntimeError("boom")


def tick() -> None:
    """Do nothing; the scheduler tests only count how often it is enqueued."""


def record(label: str) -> None:
    """Remember a call in this process (in-process mode only)."""
    CALLS.append(label)
