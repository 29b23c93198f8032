"""Reads of the portal. Public reads show only published bulletins and approved comments and
never carry an email; staff reads go through the gate's scope (the bulletin's province)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.core.text import fold
from ketnghia.portal.models import Bulletin, BulletinImage, Comment, Tag
from ketnghia.portal.rules import BulletinState, CommentState

# The only comment fields a public output may read: never the email, address or browser.
PUBLIC_COMMENT_FIELDS = (
    "id",
    "bulletin_id",
    "parent_id",
    "author_name",
    "content",
    "created_at",
    "staff_author_id",
)


def published() -> QuerySet[Bulletin]:
    """Return the published bulletins, newest first."""
    return Bulletin.objects.filter(state=BulletinState.PUBLISHED).order_by("-published_at", "-pk")


def bulletins_public(*, query: str = "", tag: str = "") -> QuerySet[Bulletin]:
    """Return published bulletins matching `query` (diacritics ignored) and `tag` (a slug)."""
    rows = published().prefetch_related("tags")
    if tag:
        rows = rows.filter(tags__slug=tag)
    for word in fold(query).split()[:8]:
        rows = rows.filter(search_text__contains=word)
    return rows


def tag_public(*, slug: str) -> Tag:
    tag = Tag.objects.filter(slug=slug, bulletins__state=BulletinState.PUBLISHED).first()
    if tag is None:
        raise NotFound("tag")
    return tag


def bulletin_public(*, slug: str) -> Bulletin:
    """Return the published bulletin `slug` (NotFound for a draft, withdrawn or missing one)."""
    bulletin = (
        published()
        .filter(slug=slug)
        .prefetch_related(
            "tags", Prefetch("images", queryset=BulletinImage.objects.select_related("attachment"))
        )
        .first()
    )
    if bulletin is None:
        raise NotFound("bulletin")
    return bulletin


@dataclass
class Thread:
    comment: Any
    replies: list[Any]


def comments_public(*, bulletin: Bulletin) -> list[Thread]:
    """Return the approved comments of `bulletin` as threads (one level), without emails."""
    rows = list(
        Comment.objects.filter(bulletin=bulletin, state=CommentState.APPROVED)
        .only(*PUBLIC_COMMENT_FIELDS)
        .order_by("created_at", "pk")
    )
    top = [c for c in rows if c.parent_id is None]
    replies: dict[int, list[Comment]] = {}
    for comment in rows:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [Thread(c, replies.get(c.pk, [])) for c in top]


def image_public(*, key: Any) -> BulletinImage:
    """Return a picture of a published bulletin by its attachment key (NotFound otherwise)."""
    try:
        image = (
            BulletinImage.objects.select_related("attachment")
            .filter(attachment__key=key, bulletin__state=BulletinState.PUBLISHED)
            .first()
        )
    except (ValueError, TypeError):
        image = None
    if image is None:
        raise NotFound("image")
    return image


# --- Staff (through the gate) -----------------------------------------------------------------


def bulletins_for(*, scope: UnitScope) -> QuerySet[Bulletin]:
    """Return the bulletins of the provinces inside `scope`, newest change first."""
    rows = Bulletin.objects.annotate(
        held=Count("comments", filter=Q(comments__state=CommentState.HELD))
    ).order_by("-updated_at", "-pk")
    return scope.filter(rows, "unit_path")


def bulletin_get_for(*, scope: UnitScope, pk: Any) -> Bulletin:
    """Return bulletin `pk` inside `scope`; the same NotFound for missing and forbidden."""
    try:
        return scope.filter(Bulletin.objects.all(), "unit_path").get(pk=int(pk))
    except (Bulletin.DoesNotExist, ValueError, TypeError):
        raise NotFound("bulletin") from None


def comments_for(*, scope: UnitScope, state: str = "") -> QuerySet[Comment]:
    """Return the comments on bulletins inside `scope` (of `state` when given), newest first."""
    rows = Comment.objects.select_related("bulletin", "parent").order_by("-created_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    return scope.filter(rows, "bulletin__unit_path")


def comment_counts_for(*, scope: UnitScope) -> dict[str, int]:
    """Return how many comments inside `scope` stand in each state."""
    rows = scope.filter(Comment.objects.all(), "bulletin__unit_path")
    counts = dict(rows.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in CommentState.values}


def comment_get_for(*, scope: UnitScope, pk: Any) -> Comment:
    try:
        return scope.filter(Comment.objects.select_related("bulletin"), "bulletin__unit_path").get(
            pk=int(pk)
        )
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise NotFound("comment") from None


def comments_of_person(*, digest: str) -> QuerySet[Comment]:
    """Return one person's comments (by their email's digest), for their own rights page."""
    if not digest:
        return Comment.objects.none()
    return (
        Comment.objects.filter(email_digest=digest)
        .select_related("bulletin")
        .order_by("-created_at")
    )
