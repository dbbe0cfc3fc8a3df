"""bench/RESULTS.md: each benchmark owns one marked section and rewrites only that."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(mark: str, body: str, heading: str | None = None, path: Path = RESULTS) -> None:
    """Put `body` between `<!-- mark:start -->` and `<!-- mark:end -->` of `path`, in place
    when the section exists, else at the end of the file under `## heading` (if given)."""
    start, end = f"<!-- {mark}:start -->", f"<!-- {mark}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if start in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        title = f"## {heading}\n\n" if heading else ""
        text = f"{text.rstrip()}\n\n{title}{section}\n"
    path.write_text(text)
