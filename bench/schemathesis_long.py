"""The long schemathesis run: the suite's API fuzzing test with many examples per operation.

Usage: .venv/bin/python bench/schemathesis_long.py [--examples 200] [--no-write]
Runs tests/security/test_schemathesis.py (in-process, the walk's seeded organisation, as a
member of another team and as an admin) on the embedded default and prints a table; figures go
into bench/RESULTS.md between the schemathesis-bench markers.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT))

from bench.results_file import write_section  # noqa: E402


def run(examples: int) -> tuple[str, float, str]:
    env = {
        **os.environ,
        "SCHEMATHESIS_EXAMPLES": str(examples),
        "TEST_SLOT": os.environ.get("TEST_SLOT", "5"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/security/test_schemathesis.py",
            "-q",
            "-p",
            "no:randomly",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    summary = (re.findall(r"^\d+ (?:passed|failed).*$", done.stdout, re.M) or ["no summary"])[-1]
    failures = "\n".join(line for line in done.stdout.splitlines() if line.startswith("  | - "))
    return summary, seconds, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    summary, seconds, failures = run(args.examples)
    table = (
        "| examples per operation | roles | result | seconds |\n| --- | --- | --- | --- |\n"
        f"| {args.examples} | outsider, admin | {summary} | {seconds:.0f} |\n"
    )
    print(table)
    if failures:
        print(failures)
    if not args.no_write:
        write_section("schemathesis-bench", table, "schemathesis, long run")


if __name__ == "__main__":
    main()
