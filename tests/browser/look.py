"""Helpers for the tests of what a person sees: the demo organisation served over HTTP, signing
in as a demo person, horizontal overflow, axe-core, and screenshots compared with a tolerance."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops

from advocacy.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parent / "screenshots"
FAILURES = SHOTS / "_failures"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
# A pixel counts as changed when a channel moves by more than this (anti-aliasing moves less);
# a screenshot fails when more than MAX_CHANGED of its pixels changed.
CHANNEL_TOLERANCE = 40
MAX_CHANGED = 0.01


def sign_in_demo(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, WCAG 2.2 AA rules included."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def changed_share(expected: Image.Image, actual: Image.Image) -> float:
    """The fraction of pixels that differ by more than CHANNEL_TOLERANCE in some channel."""
    if expected.size != actual.size:
        return 1.0
    difference = ImageChops.difference(expected.convert("RGB"), actual.convert("RGB"))
    strongest = difference.convert("L").point(lambda value: 255 if value > CHANNEL_TOLERANCE else 0)
    histogram = strongest.histogram()
    return histogram[255] / (expected.width * expected.height)


def matches_baseline(page, name: str, mask: list) -> str | None:
    """Compare the page's first screen with tests/browser/screenshots/NAME.png: None when it
    matches, else what is wrong. UPDATE_SCREENSHOTS=1 writes the baseline instead."""
    baseline = SHOTS / f"{name}.png"
    shot = page.screenshot(mask=mask, mask_color="#ff00ff", animations="disabled")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        baseline.write_bytes(shot)
        return None
    FAILURES.mkdir(exist_ok=True)
    if not baseline.exists():
        (FAILURES / f"{name}.png").write_bytes(shot)
        return (
            f"{name}: no baseline; look at {FAILURES / (name + '.png')} and, if it is right,"
            " run with UPDATE_SCREENSHOTS=1"
        )
    actual_path = FAILURES / f"{name}.png"
    actual_path.write_bytes(shot)
    with Image.open(baseline) as expected, Image.open(actual_path) as actual:
        share = changed_share(expected, actual)
    if share > MAX_CHANGED:
        return (
            f"{name}: {share:.1%} of the pixels changed (at most {MAX_CHANGED:.0%}): {actual_path}"
        )
    actual_path.unlink()
    return None
