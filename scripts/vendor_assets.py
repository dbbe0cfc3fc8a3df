"""Copy the pinned front-end files from node_modules into static/vendor and record their hashes.

The browser checks each file against the Subresource Integrity hash written into
static/vendor/manifest.json; a test checks that manifest against the files and the pinned versions.
"""

import base64
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
# (npm package, file inside the package, name served from static/vendor)
ASSETS = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    # uPlot: small (~50 kB), fast, MIT, canvas time-series charts; charts.js draws with it.
    ("uplot", "dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
    ("uplot", "dist/uPlot.min.css", "uPlot.min.css"),
]


def sri_hash(data: bytes) -> str:
    """Subresource Integrity value (sha384) for a file's bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def main() -> int:
    """Copy each asset and write the manifest; fail loudly when `npm ci` has not run."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for package, source, served_name in ASSETS:
        package_dir = ROOT / "node_modules" / package
        if not package_dir.is_dir():
            print(f"{package} is not installed: run `npm ci` first", file=sys.stderr)
            return 1
        version = json.loads((package_dir / "package.json").read_text())["version"]
        shutil.copyfile(package_dir / source, VENDOR / served_name)
        manifest[served_name] = {
            "package": package,
            "version": version,
            "integrity": sri_hash((VENDOR / served_name).read_bytes()),
        }
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
