"""Compliance: blocked words and phrases, the mandatory disclosure, and the versioned social
media policy every employee acknowledges before sharing (again whenever it changes)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import (
    DISCLOSURE_MAX,
    TERM_MAX,
    TITLE_MAX,
    BlockedTerm,
    ComplianceSettings,
    PolicyAcknowledgement,
    PolicyVersion,
)

POLICY_BODY_MAX = 50_000
BLOCKED_TERMS_MAX = 2000


# --- blocked words and phrases ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern:
    # Whole words: no letter or digit may touch the term on either side; spaces inside a
    # phrase match any run of whitespace, so "fast  money" is caught like "fast money".
    words = [re.escape(word) for word in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE | re.UNICODE)


def find_blocked_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The blocked terms `text` contains, whole-word and case-insensitively, in list order."""
    return [term for term in terms if term.strip() and _term_pattern(term).search(text or "")]


def blocked_terms() -> list[str]:
    """The organisation's blocked terms, alphabetically."""
    return list(db.session.scalars(select(BlockedTerm.term).order_by(BlockedTerm.term)))


def list_blocked_terms() -> list[BlockedTerm]:
    """The blocked term rows, alphabetically, for the settings page."""
    return list(db.session.scalars(select(BlockedTerm).order_by(BlockedTerm.term)))


def check_texts(texts: dict[str, str], terms: list[str] | None = None) -> None:
    """ValidationFailed naming, per field, the blocked terms each text contains."""
    terms = blocked_terms() if terms is None else terms
    errors: dict[str, list[str]] = {}
    found: list[str] = []
    for field, text in texts.items():
        hits = find_blocked_terms(text, terms)
        if hits:
            errors[field] = [f"Remove the blocked {_terms_phrase(hits)}."]
            found += [hit for hit in hits if hit not in found]
    if errors:
        raise ValidationFailed(
            f"The text contains the blocked {_terms_phrase(found)}: organisation policy "
            "forbids them in anything shared.",
            errors,
        )


def _terms_phrase(terms: list[str]) -> str:
    quoted = ", ".join(f"“{term}”" for term in terms)
    return f"term {quoted}" if len(terms) == 1 else f"terms {quoted}"


def add_blocked_terms(text: str, acting: User) -> list[BlockedTerm]:
    """Add one term per line (blank lines and known terms are skipped); returns the new rows."""
    lines = [" ".join(line.split()).lower() for line in (text or "").splitlines()]
    lines = list(dict.fromkeys(line for line in lines if line))
    if not lines:
        raise ValidationFailed.field("terms", "Enter at least one word or phrase.")
    too_long = [line for line in lines if len(line) > TERM_MAX]
    if too_long:
        raise ValidationFailed.field(
            "terms", f"Each term has at most {TERM_MAX} characters: {too_long[0][:40]}…"
        )
    known = set(blocked_terms())
    new = [BlockedTerm(term=line, added_by_id=acting.id) for line in lines if line not in known]
    if len(known) + len(new) > BLOCKED_TERMS_MAX:
        raise ValidationFailed.field("terms", f"Keep at most {BLOCKED_TERMS_MAX} blocked terms.")
    db.session.add_all(new)
    db.session.commit()
    return new


def remove_blocked_term(term_id: int) -> BlockedTerm:
    """Remove a blocked term."""
    term = db.session.get(BlockedTerm, term_id)
    if term is None:
        raise NotFound("No such blocked term.")
    db.session.delete(term)
    db.session.commit()
    return term


# --- the disclosure -------------------------------------------------------------------------


def get_settings() -> ComplianceSettings:
    """The organisation's compliance settings, created empty on first use."""
    settings = db.session.scalar(select(ComplianceSettings).order_by(ComplianceSettings.id))
    if settings is None:
        settings = ComplianceSettings(disclosure="")
        db.session.add(settings)
        db.session.flush()
    return settings


def disclosure() -> str:
    """The disclosure appended to every shared caption ("" when none is set)."""
    value = db.session.scalar(
        select(ComplianceSettings.disclosure).order_by(ComplianceSettings.id).limit(1)
    )
    return value or ""


def set_disclosure(text: str, acting: User) -> ComplianceSettings:
    """Set the disclosure (e.g. "#AcmeEmployee"); one line, no blocked terms."""
    text = " ".join((text or "").split())
    if len(text) > DISCLOSURE_MAX:
        raise ValidationFailed.field("disclosure", f"Use at most {DISCLOSURE_MAX} characters.")
    settings = get_settings()
    settings.disclosure, settings.updated_by_id = text, acting.id
    db.session.commit()
    return settings


def with_disclosure(caption: str, disclosure_text: str) -> str:
    """The caption as shared: the disclosure is appended unless the caption already carries it
    as a whole word (so an edited caption cannot drop it, nor get it twice)."""
    caption = (caption or "").strip()
    if not disclosure_text:
        return caption
    if find_blocked_terms(caption, [disclosure_text]):
        return caption
    return f"{caption} {disclosure_text}" if caption else disclosure_text


# --- the social media policy ----------------------------------------------------------------


def current_policy() -> PolicyVersion | None:
    """The policy version in force (the highest), or None when no policy is published."""
    return db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))


def list_policy_versions() -> list[PolicyVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc())))


def publish_policy(title: str, body: str, acting: User) -> PolicyVersion:
    """Publish a new policy version; everyone must acknowledge it before their next share."""
    errors: dict[str, list[str]] = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = ["Give the policy a title."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Use at most {TITLE_MAX} characters."]
    if not body:
        errors["body"] = ["Write the policy's text."]
    elif len(body) > POLICY_BODY_MAX:
        errors["body"] = [f"Use at most {POLICY_BODY_MAX} characters."]
    if errors:
        raise ValidationFailed("The policy could not be published.", errors)
    latest = db.session.scalar(select(func.max(PolicyVersion.version))) or 0
    policy = PolicyVersion(version=latest + 1, title=title, body=body, published_by_id=acting.id)
    db.session.add(policy)
    db.session.commit()
    return policy


def has_acknowledged_current(user: User) -> bool:
    """True when there is no policy, or the user accepted the version in force."""
    policy = current_policy()
    return policy is None or _acknowledged(user, policy)


def needs_acknowledgement(user: User, policy: PolicyVersion) -> bool:
    """True when `user` has not acknowledged this policy version."""
    return not _acknowledged(user, policy)


def _acknowledged(user: User, policy: PolicyVersion) -> bool:
    return (
        db.session.scalar(
            select(PolicyAcknowledgement.id).where(
                PolicyAcknowledgement.user_id == user.id,
                PolicyAcknowledgement.policy_version_id == policy.id,
            )
        )
        is not None
    )


def acknowledge_policy(user: User, version: int | None = None) -> PolicyVersion:
    """Record that `user` accepts the policy in force; `version`, when given, must be it (so an
    acknowledgement of a page read before a new version was published is refused)."""
    policy = current_policy()
    if policy is None:
        raise NotFound("There is no social media policy to acknowledge.")
    if version is not None and version != policy.version:
        raise Conflict(
            f"Version {version} is no longer in force: read version {policy.version} and "
            "acknowledge it."
        )
    if not _acknowledged(user, policy):
        db.session.add(PolicyAcknowledgement(user_id=user.id, policy_version_id=policy.id))
        db.session.commit()
    return policy


def require_policy_acknowledged(user: User) -> None:
    """Conflict unless the user accepted the policy in force (sharing needs it)."""
    policy = current_policy()
    if policy is not None and not _acknowledged(user, policy):
        raise Conflict(
            f"Read and acknowledge the social media policy (version {policy.version}) before "
            "sharing."
        )
