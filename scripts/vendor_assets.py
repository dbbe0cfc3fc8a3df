"""Copy the pinned front-end files from node_modules into static/vendor and record their hashes.

Besides plain copies it writes the icon sprite (the Lucide icons and network marks the templates
name, as <symbol>s in one file) and the reaction emoji (Twemoji SVGs, so no emoji font is needed).
The stylesheet is built before this runs (scripts/build_css.mjs) and is recorded here too.
The browser checks each file against the Subresource Integrity hash written into
static/vendor/manifest.json; a test checks that manifest against the files and the pinned versions.
"""

import base64
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from advocacy.web.emoji import EMOJI_FILES  # noqa: E402
from advocacy.web.icons import ICONS, NETWORK_MARKS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
# (npm package, file inside the package, name served from static/vendor)
ASSETS = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    # uPlot: small (~50 kB), fast, MIT, canvas time-series charts; charts.js draws with it.
    ("uplot", "dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
    ("uplot", "dist/uPlot.min.css", "uPlot.min.css"),
    # Inter (OFL): one variable font file per script range, Latin and Latin Extended, ~130 kB;
    # the same letters on every machine, so screenshots compare and pages look as designed.
    (
        "@fontsource-variable/inter",
        "files/inter-latin-wght-normal.woff2",
        "fonts/inter-latin-wght-normal.woff2",
    ),
    (
        "@fontsource-variable/inter",
        "files/inter-latin-ext-wght-normal.woff2",
        "fonts/inter-latin-ext-wght-normal.woff2",
    ),
]
BUILT_CSS = "app.css"
SVG_BODY = re.compile(r"<svg[^>]*>(.*)</svg>", re.S)


def sri_hash(data: bytes) -> str:
    """Subresource Integrity value (sha384) for a file's bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def package_version(package: str) -> str:
    package_dir = ROOT / "node_modules" / package
    if not package_dir.is_dir():
        raise SystemExit(f"{package} is not installed: run `npm ci` first")
    return json.loads((package_dir / "package.json").read_text())["version"]


def icon_sprite() -> str:
    """One SVG of <symbol id="icon-NAME">: Lucide's outline icons, then the networks' marks
    (Simple Icons, filled); a page draws one with <svg><use href="…#icon-NAME"/></svg>."""
    symbols = []
    for name in ICONS:
        body = SVG_BODY.search(
            (ROOT / "node_modules/lucide-static/icons" / f"{name}.svg").read_text()
        )
        symbols.append(f'<symbol id="icon-{name}" viewBox="0 0 24 24">{body[1].strip()}</symbol>')
    for name, brand in NETWORK_MARKS.items():
        svg = (ROOT / "node_modules/simple-icons/icons" / f"{brand}.svg").read_text()
        body = re.sub(r"<title>.*?</title>", "", SVG_BODY.search(svg)[1])
        symbols.append(f'<symbol id="icon-{name}" viewBox="0 0 24 24">{body}</symbol>')
    return '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(symbols) + "</svg>\n"


def record(manifest: dict, served_name: str, package: str, version: str) -> None:
    manifest[served_name] = {
        "package": package,
        "version": version,
        "integrity": sri_hash((VENDOR / served_name).read_bytes()),
    }


def main() -> int:
    """Copy each asset and write the manifest; fail loudly when `npm ci` or the CSS build has
    not run."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / "fonts").mkdir(exist_ok=True)
    (VENDOR / "emoji").mkdir(exist_ok=True)
    manifest = {}
    for package, source, served_name in ASSETS:
        version = package_version(package)
        shutil.copyfile(ROOT / "node_modules" / package / source, VENDOR / served_name)
        record(manifest, served_name, package, version)
    (VENDOR / "icons.svg").write_text(icon_sprite())
    record(manifest, "icons.svg", "lucide-static", package_version("lucide-static"))
    twemoji = package_version("@twemoji/svg")
    for file_name in EMOJI_FILES.values():
        shutil.copyfile(
            ROOT / "node_modules/@twemoji/svg" / file_name, VENDOR / "emoji" / file_name
        )
        record(manifest, f"emoji/{file_name}", "@twemoji/svg", twemoji)
    if not (VENDOR / BUILT_CSS).exists():
        raise SystemExit("static/vendor/app.css is missing: run `node scripts/build_css.mjs` first")
    record(manifest, BUILT_CSS, "open-props", package_version("open-props"))
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
