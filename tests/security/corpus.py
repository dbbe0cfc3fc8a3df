"""Hostile input: what an attacker, a broken client or an unlucky paste sends. Each entry is a
name (shown in failures) and the text."""

from __future__ import annotations

SCRIPT = "<script>alert('xss')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
# What the corpus would look like if it reached a page as markup rather than text.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", 'href="javascript:', "href='javascript:")

CORPUS: dict[str, str] = {
    "script tag": SCRIPT,
    "attribute break-out": IMAGE,
    "javascript url": "javascript:alert(document.cookie)",
    "markdown link": "[click](javascript:alert(1)) ![x](x onerror=alert(1))",
    "sql quote": "' OR '1'='1' --",
    "sql drop": 'Robert\'); DROP TABLE "user";--',
    "like wildcards": "%_%\\",
    "rtl override": "invoice\u202egnp.exe",
    "zero width": "ad\u200bmin\u200d\ufeff",
    "emoji and joiners": "🎉 👩\u200d👩\u200d👧 🏳️\u200d🌈",
    "combining marks": "Z\u0334\u0321\u0322a\u0336\u0327l\u0335g\u0337o\u0338",
    "nul": "before\x00after",
    "only spaces": "   \t  ",
    "huge": "A" * 100_000,
    "long word": "x" * 5_000,
    "newlines": "line one\r\nline two\n\n\n---\n",
}
