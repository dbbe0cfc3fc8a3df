"""The design system's foundations: the stylesheet is built from the pinned npm packages and
our own files, linted (an unclosed block, which CSS itself forgives, fails), small enough that
a page's CSS and JavaScript stay under 150 kB compressed, and every icon and emoji the
templates name is in the vendored sprite."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from advocacy.web.emoji import EMOJI_FILES
from advocacy.web.icons import ICONS, NETWORK_MARKS

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(/static/[^"?]+)(?:\?[^"]*)?"')
CHART_ASSETS = ("uPlot.iife.min.js", "uPlot.min.css")  # loaded by charts.js on chart pages


def stylelint(*paths: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["npx", "--no-install", "stylelint", "--config", str(ROOT / ".stylelintrc.json"), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_our_stylesheets_pass_the_linter():
    result = stylelint("static/css/**/*.css")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unclosed_media_block_fails_the_lint(tmp_path):
    """The bug that hid the desktop styles: CSS closes the block at the end of the file."""
    broken = tmp_path / "broken.css"
    broken.write_text(
        "@media (max-width: 40rem) {\n  .a {\n    color: red;\n  }\n\n.b {\n  color: blue;\n}\n"
    )
    result = stylelint(str(broken))
    assert result.returncode != 0
    assert "Unclosed block" in result.stdout + result.stderr


def test_the_build_refuses_what_it_cannot_parse(tmp_path):
    """scripts/build_css.mjs runs at install: a rule Lightning CSS cannot read stops it."""
    project = tmp_path / "project"
    (project / "static" / "css").mkdir(parents=True)
    (project / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "build_css.mjs", project / "scripts")
    shutil.copy(ROOT / "package.json", project)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    (project / "static" / "css" / "app.css").write_text(".a { color: red; }\n.b { color: }\n}")
    result = subprocess.run(
        ["node", "scripts/build_css.mjs"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert not (project / "static" / "vendor" / "app.css").exists()


def test_the_built_stylesheet_is_current_and_minified():
    built = (VENDOR / "app.css").read_text()
    assert built.count("\n") < 5  # minified (a package's licence comment keeps its lines)
    assert "--c-brand" in built and "--size-3" in built  # ours, and Open Props' tokens
    assert "@media (max-width:47.99rem)" in built or "@media (width<=47.99rem)" in built


def page_assets(page: str) -> list[str]:
    return [ROOT / path.lstrip("/") for path in ASSET.findall(page)]


@pytest.mark.parametrize("path", ["/", "/analytics/", "/discussions/"])
def test_each_page_loads_under_150_kb_of_css_and_javascript_compressed(
    client, login_as, admin, path
):
    login_as(admin, client)
    page = client.get(path).get_data(as_text=True)
    files = [asset for asset in page_assets(page) if asset.suffix in (".css", ".js")] + [
        VENDOR / name for name in CHART_ASSETS
    ]  # counted on every page: the worst case
    assert any(file.name == "app.css" for file in files)
    compressed = sum(len(gzip.compress(file.read_bytes(), 6)) for file in files)
    assert compressed <= BUDGET, f"{compressed / 1024:.0f} kB: {[f.name for f in files]}"


def test_every_icon_and_emoji_is_in_the_vendored_files():
    sprite = (VENDOR / "icons.svg").read_text()
    for name in (*ICONS, *NETWORK_MARKS):
        assert f'id="icon-{name}"' in sprite, name
    for file_name in EMOJI_FILES.values():
        assert (VENDOR / "emoji" / file_name).read_text().startswith("<svg")
    named = set()
    for template in (ROOT / "templates").rglob("*.html"):
        named |= set(re.findall(r"icon\('([a-z0-9-]*[a-z0-9])'", template.read_text()))
    assert named <= set(ICONS) | set(NETWORK_MARKS), named - set(ICONS)
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert {"app.css", "icons.svg", "fonts/inter-latin-wght-normal.woff2"} <= set(manifest)
