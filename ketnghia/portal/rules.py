"""The portal's rules as pure functions: slugs, comment checks (WordPress's), sanitising,
the small-cell rule and the bulletin's states. No ORM here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import nh3
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ketnghia.core.text import fold


class BulletinState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CommentState(models.TextChoices):
    HELD = "held", _("Held for moderation")
    APPROVED = "approved", _("Approved")
    SPAM = "spam", _("Spam")
    TRASH = "trash", _("Trash")


class HeldReason(models.TextChoices):
    NONE = "", _("—")
    MANUAL = "manual", _("Every comment is approved by hand")
    LINKS = "links", _("Too many links")
    MODERATION_KEY = "moderation_key", _("A moderation word matched")
    FIRST_TIME = "first_time", _("First comment from this person")
    DISALLOWED = "disallowed", _("A disallowed word matched")


# Which state each bulletin action leads from and to.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((BulletinState.DRAFT,), BulletinState.IN_REVIEW),
    "return": ((BulletinState.IN_REVIEW,), BulletinState.DRAFT),
    "publish": ((BulletinState.DRAFT, BulletinState.IN_REVIEW), BulletinState.PUBLISHED),
    "withdraw": ((BulletinState.PUBLISHED,), BulletinState.WITHDRAWN),
    "redraft": ((BulletinState.WITHDRAWN,), BulletinState.DRAFT),
}


def next_state(action: str, current: str) -> str | None:
    """Return the state `action` leads to from `current`, or None when it may not be taken."""
    if action not in TRANSITIONS:
        return None
    sources, target = TRANSITIONS[action]
    return str(target) if current in sources else None


# The portal's own addresses under /bulletins/, never a bulletin's slug.
RESERVED_SLUGS = ("feed", "tags", "images", "figures", "rights", "manage", "moderation")


def slug_for(title: str, taken: Iterable[str] = (), max_length: int = 80) -> str:
    """Return a readable slug of `title` without diacritics ("Đắk Hà" → "dak-ha"), unique."""
    base = slugify(fold(title))[:max_length].strip("-") or "ban-tin"
    existing = set(taken)
    slug, n = base, 2
    while slug in existing:
        slug = f"{base[: max_length - 6]}-{n}"
        n += 1
    return slug


# --- Rich text (bulletin bodies) ---------------------------------------------------------

BODY_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li",
    "a", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "caption", "hr",
    "figure", "figcaption", "sub", "sup",
}  # fmt: skip
BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "colspan", "rowspan"},
                   "td": {"colspan", "rowspan"}}  # fmt: skip


def sanitise_body(text: str) -> str:
    """Return `text` (HTML) with only the bulletin's tags left: no script, no event handler,
    no `javascript:` link, links marked `noopener noreferrer`."""
    return nh3.clean(
        text,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """Return the text of an HTML fragment (for search, feeds' summaries, Open Graph)."""
    return html.unescape(nh3.clean(text, tags=set())).strip()


# --- Comments (WordPress's check_comment / wp_allow_comment) ---------------------------

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")


def count_links(text: str) -> int:
    """Return how many links a plain-text comment carries."""
    return len(_LINK.findall(text))


def inert_links(text: str) -> str:
    """Return `text` escaped, its web addresses made links that pass no rank nor script."""
    escaped = html.escape(text, quote=True)

    def link(match: re.Match[str]) -> str:
        address = match.group(0)
        href = address if address.lower().startswith("http") else "http://" + address
        return f'<a href="{href}" rel="nofollow ugc noopener">{address}</a>'

    return _LINK.sub(link, escaped)


def matched_key(keys: Sequence[str], fields: Iterable[str]) -> str | None:
    """Return the first of `keys` found (case-insensitive, diacritics ignored) in any field."""
    folded = [fold(value or "") for value in fields]
    for key in keys:
        word = fold(key.strip())
        if word and any(word in value for value in folded):
            return key.strip()
    return None


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str


def comment_verdict(
    *,
    fields: Sequence[str],
    content: str,
    manual_moderation: bool,
    max_links: int,
    moderation_keys: Sequence[str],
    disallowed_keys: Sequence[str],
    disallowed_action: str,
    first_time_hold: bool,
    approved_before: bool,
) -> Verdict:
    """Return where a new comment goes, as WordPress decides it.

    `fields` are the name, email, content, address and browser the keys are looked for in.
    """
    if matched_key(disallowed_keys, fields):
        state = CommentState.TRASH if disallowed_action == "trash" else CommentState.SPAM
        return Verdict(str(state), str(HeldReason.DISALLOWED))
    if manual_moderation:
        return Verdict(str(CommentState.HELD), str(HeldReason.MANUAL))
    if max_links and count_links(content) >= max_links:
        return Verdict(str(CommentState.HELD), str(HeldReason.LINKS))
    if matched_key(moderation_keys, fields):
        return Verdict(str(CommentState.HELD), str(HeldReason.MODERATION_KEY))
    if first_time_hold and not approved_before:
        return Verdict(str(CommentState.HELD), str(HeldReason.FIRST_TIME))
    return Verdict(str(CommentState.APPROVED), str(HeldReason.NONE))


# --- Consent (Law 91/2025/QH15: explicit, purpose and retention stated, can be shown) ----

CONSENT_TEXTS: dict[str, str] = {
    "2026-01": gettext_noop(
        "I agree that my name, email, comment, network address and browser are kept to publish "
        "and moderate my comment and to answer me; my email is never shown. My email and "
        "address are kept for %(days)d days, then anonymised; I can ask for my comments or "
        "their erasure at any time."
    ),
}


# --- Small cells ---------------------------------------------------------------------------


def publishable(numerator: float | None, denominator: float | None, minimum: int) -> bool:
    """Return whether a figure over `denominator` units may be shown to the public.

    Neither the population nor either side of it (the counted and the rest) may be a small
    cell: 0 < n < `minimum` could point at a few identifiable households.
    """
    if numerator is None or denominator is None:
        return False
    if denominator < minimum:
        return False
    return all(not 0 < cell < minimum for cell in (numerator, denominator - numerator))
