"""Find the forms a page offers (for the hostile-input corpus): action, method and fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}


@dataclass
class Form:
    """A form as a browser would submit it."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    text_fields: list[str] = field(default_factory=list)  # the ones a person types into


class FormParser(HTMLParser):
    """Collects <form>s with their <input>, <textarea> and <select> fields."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = Form(
                attrs.get("action") or self.page_url, attrs.get("method", "get").upper()
            )
            self.forms.append(self.current)
            return
        if self.current is None or not attrs.get("name"):
            if tag == "option" and self.current is not None and self.select:
                self.current.fields.setdefault(self.select, attrs.get("value", ""))
            return
        name = attrs["name"]
        kind = attrs.get("type", "").lower() if tag == "input" else tag
        if tag == "select":
            self.select = name
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.current.fields[name] = attrs.get("value", "on")
        elif kind in ("submit", "button", "file", "password"):
            return
        else:
            self.current.fields.setdefault(name, attrs.get("value", ""))
            if kind in TEXT_TYPES or tag == "textarea":
                self.current.text_fields.append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page_url: str, html: str) -> list[Form]:
    """The forms of a page."""
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms
