"""Writes of the portal (one transaction each, history kept): bulletins, comments, rights.

Every change the public can see (a bulletin published or withdrawn, a comment approved or
taken down) marks the public cache stale at commit (`cache.public_changed`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor, User
from ketnghia.core.attachments import JPEG, PNG, attachment_check, attachment_store
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit
from ketnghia.portal import rules
from ketnghia.portal.cache import public_changed
from ketnghia.portal.conf import setting
from ketnghia.portal.errors import CommentRefused
from ketnghia.portal.models import (
    Bulletin,
    BulletinImage,
    BulletinTransition,
    Comment,
    PortalEvent,
    Tag,
)
from ketnghia.portal.rules import BulletinState, CommentState, HeldReason

ANONYMOUS = "Ẩn danh"


def email_digest(email: str) -> str:
    """Return a keyed digest of `email` (trimmed, lower case): finds a person's comments
    and links the log's steps without keeping the email in clear."""
    normal = email.strip().lower().encode()
    key = hashlib.sha256(f"portal-email|{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normal, hashlib.sha256).hexdigest()


def _log(
    kind: str, *, actor: Actor = None, digest: str = "", count: int = 0, detail: str = ""
) -> None:
    PortalEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        subject=digest[:12],
        count=count,
        detail=detail[:255],
    )


# --- Bulletins -----------------------------------------------------------------------------


def _bulletin_problems(
    *, title: str, lead: str, body: str, byline: str, tags: Sequence[str]
) -> list[Problem]:
    problems = []
    if not title.strip():
        problems.append(Problem(_("Give the bulletin a title."), Location(field="title")))
    if len(title) > 200:
        problems.append(
            Problem(_("The title is longer than 200 characters."), Location(field="title"))
        )
    if len(lead) > 1000:
        problems.append(
            Problem(_("The lead is longer than 1,000 characters."), Location(field="lead"))
        )
    if len(byline) > 200:
        problems.append(
            Problem(_("The byline is longer than 200 characters."), Location(field="byline"))
        )
    limit = int(setting("body_max_chars"))
    if len(body) > limit:
        problems.append(
            Problem(
                _("The body is longer than %(n)s characters: shorten it or split the bulletin.")
                % {"n": f"{limit:,}".replace(",", ".")},
                Location(field="body"),
            )
        )
    for name in tags:
        if len(name) > 60:
            problems.append(
                Problem(_("A tag is longer than 60 characters."), Location(field="tags"))
            )
            break
    return problems


def _set_tags(bulletin: Bulletin, names: Iterable[str]) -> None:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            taken = Tag.objects.values_list("slug", flat=True)
            tag = Tag.objects.create(name=name, slug=rules.slug_for(name, taken))
        tags.append(tag)
    bulletin.tags.set(tags)


def _search_text(bulletin: Bulletin, tags: Iterable[str]) -> str:
    return fold(" ".join([bulletin.title, bulletin.lead, rules.plain_text(bulletin.body), *tags]))


@transaction.atomic
def bulletin_create(
    *,
    actor: Actor,
    unit: Unit,
    title: str,
    lead: str = "",
    body: str = "",
    byline: str = "",
    tags: Sequence[str] = (),
    comments_open: bool = True,
    source: str = "",
    is_demo: bool = False,
) -> Bulletin:
    """Create a draft bulletin of `unit` (a province); its body sanitised, its slug unique."""
    problems = _bulletin_problems(title=title, lead=lead, body=body, byline=byline, tags=tags)
    if problems:
        raise InvalidInput(problems)
    taken = [*Bulletin.objects.values_list("slug", flat=True), *rules.RESERVED_SLUGS]
    bulletin = Bulletin(
        unit=unit,
        unit_path=unit.path,
        title=title.strip(),
        slug=rules.slug_for(title, taken),
        lead=lead.strip(),
        body=rules.sanitise_body(body),
        byline=byline.strip(),
        comments_open=comments_open,
        source=source[:255],
        is_demo=is_demo,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    bulletin.search_text = _search_text(bulletin, tags)
    bulletin.save()
    _set_tags(bulletin, tags)
    return bulletin


@transaction.atomic
def bulletin_update(
    *,
    actor: Actor,
    bulletin: Bulletin,
    title: str,
    lead: str,
    body: str,
    byline: str,
    tags: Sequence[str],
    comments_open: bool,
) -> Bulletin:
    """Change a bulletin's text; a published one changes for the public at once."""
    problems = _bulletin_problems(title=title, lead=lead, body=body, byline=byline, tags=tags)
    if problems:
        raise InvalidInput(problems)
    bulletin.title = title.strip()
    bulletin.lead = lead.strip()
    bulletin.body = rules.sanitise_body(body)
    bulletin.byline = byline.strip()
    bulletin.comments_open = comments_open
    bulletin.updated_at = timezone.now()
    bulletin.search_text = _search_text(bulletin, tags)
    bulletin.save()
    _set_tags(bulletin, tags)
    if bulletin.state == BulletinState.PUBLISHED:
        public_changed()
    return bulletin


@transaction.atomic
def bulletin_transition(*, actor: Actor, bulletin: Bulletin, action: str) -> Bulletin:
    """Move `bulletin` by `action` (submit, return, publish, withdraw, redraft), logged."""
    target = rules.next_state(action, bulletin.state)
    if target is None:
        raise InvalidInput(
            _("A bulletin that is “%(state)s” cannot be moved this way.")
            % {"state": bulletin.get_state_display()}
        )
    now = timezone.now()
    BulletinTransition.objects.create(
        bulletin=bulletin,
        action=action,
        from_state=bulletin.state,
        to_state=target,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now,
    )
    was_public = bulletin.state == BulletinState.PUBLISHED
    bulletin.state = target
    if target == BulletinState.PUBLISHED:
        bulletin.published_at = bulletin.published_at or now
        bulletin.withdrawn_at = None
    if target == BulletinState.WITHDRAWN:
        bulletin.withdrawn_at = now
    bulletin.updated_at = now
    bulletin.save()
    if was_public or target == BulletinState.PUBLISHED:
        public_changed()
    return bulletin


@transaction.atomic
def bulletin_image_add(
    *, actor: Actor, bulletin: Bulletin, uploaded_file: UploadedFile, caption: str, alt: str
) -> BulletinImage:
    """Attach a JPEG or PNG picture to `bulletin`; refused (nothing stored) when too large."""
    limit = int(setting("image_max_bytes"))
    name = uploaded_file.name or ""
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise InvalidInput(
            Problem(
                _("The picture “%(name)s” is larger than %(mb)s MB.")
                % {"name": name, "mb": limit // (1024 * 1024)},
                Location(file=name, field="image"),
            )
        )
    kind = attachment_check(uploaded_file=uploaded_file, field="image")
    if kind not in (JPEG, PNG):
        raise InvalidInput(
            Problem(
                _("The picture “%(name)s” is not a JPEG or PNG image.") % {"name": name},
                Location(file=name, field="image"),
            )
        )
    if not alt.strip():
        raise InvalidInput(
            Problem(_("Describe the picture for readers who cannot see it."), Location(field="alt"))
        )
    attachment = attachment_store(
        uploaded_file=uploaded_file,
        actor=actor,
        unit_path=bulletin.unit_path,
        purpose="bulletin image",
        field="image",
    )
    image = BulletinImage.objects.create(
        bulletin=bulletin,
        attachment=attachment,
        caption=caption.strip()[:300],
        alt=alt.strip()[:300],
        position=bulletin.images.count(),
    )
    if bulletin.state == BulletinState.PUBLISHED:
        public_changed()
    return image


# --- Comments ------------------------------------------------------------------------------


def _rate_limited(ip: str) -> bool:
    """Count one post from `ip`; return whether it is over the per-address limit."""
    if not ip:
        return False
    key = f"portal:rate:{ip}"
    window = int(setting("rate_limit_seconds"))
    if cache.add(key, 1, window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
            count = 1
    return count > int(setting("rate_limit_count"))


def _parent(bulletin: Bulletin, parent_id: Any) -> Comment | None:
    if parent_id in (None, ""):
        return None
    refusal = CommentRefused(
        _("The comment you are replying to cannot be answered."), field="parent"
    )
    try:
        pk = int(parent_id)
    except (TypeError, ValueError):
        raise refusal from None
    parent = Comment.objects.filter(
        pk=pk, bulletin=bulletin, state=CommentState.APPROVED, parent__isnull=True
    ).first()
    if parent is None:
        raise refusal
    return parent


def comment_submit(
    *,
    bulletin: Bulletin,
    name: str,
    email: str,
    content: str,
    consent: bool,
    ip: str = "",
    user_agent: str = "",
    parent_id: Any = None,
    honeypot: str = "",
) -> Comment | None:
    """Take a reader's comment on a published bulletin, as WordPress does.

    Returns the comment (held, approved, spam or trash) or None when the honeypot caught a
    robot (nothing stored). Raises CommentRefused: 400 bad input, 403 comments closed,
    409 duplicate, 429 flood or over the address's rate limit.
    """
    if honeypot.strip():
        _log("comment.honeypot", detail=f"bulletin {bulletin.pk}")
        return None
    if bulletin.state != BulletinState.PUBLISHED:
        raise CommentRefused(_("This bulletin cannot be commented on."), status=404)
    if not bulletin.comments_open:
        raise CommentRefused(_("Comments on this bulletin are closed."), status=403)
    if _rate_limited(ip):
        raise CommentRefused(
            _("Too many comments from your network address: please wait a few minutes."),
            status=429,
        )
    name, email, content = name.strip(), email.strip(), content.strip()
    problems = []
    if not name:
        problems.append(Problem(_("Enter your name."), Location(field="name")))
    elif len(name) > int(setting("name_max_chars")):
        problems.append(Problem(_("Your name is too long."), Location(field="name")))
    try:
        validate_email(email)
    except ValidationError:
        problems.append(Problem(_("Enter a valid email address."), Location(field="email")))
    if not content:
        problems.append(Problem(_("Write your comment."), Location(field="content")))
    elif len(content) > int(setting("comment_max_chars")):
        problems.append(
            Problem(
                _("Your comment is longer than %(n)s characters.")
                % {"n": f"{int(setting('comment_max_chars')):,}".replace(",", ".")},
                Location(field="content"),
            )
        )
    if not consent:
        problems.append(
            Problem(
                _("Tick the consent box: without your consent the comment cannot be kept."),
                Location(field="consent"),
            )
        )
    if problems:
        raise InvalidInput(problems)
    parent = _parent(bulletin, parent_id)
    digest = email_digest(email)
    with transaction.atomic():
        duplicate = (
            Comment.objects.filter(
                bulletin=bulletin, parent=parent, content=content, author_name=name
            ).exists()
            or Comment.objects.filter(
                bulletin=bulletin, parent=parent, content=content, email_digest=digest
            ).exists()
        )
        if duplicate:
            raise CommentRefused(
                _("Duplicate comment detected: it looks as though you've already said that."),
                status=409,
            )
        since = timezone.now() - timedelta(seconds=int(setting("flood_seconds")))
        recent = Comment.objects.filter(created_at__gte=since, staff_author__isnull=True)
        if (ip and recent.filter(ip=ip).exists()) or recent.filter(email_digest=digest).exists():
            raise CommentRefused(_("You are posting comments too quickly. Slow down."), status=429)
        approved_before = Comment.objects.filter(
            author_name=name, email_digest=digest, state=CommentState.APPROVED
        ).exists()
        verdict = rules.comment_verdict(
            fields=[name, email, content, ip, user_agent],
            content=content,
            manual_moderation=bool(setting("manual_moderation")),
            max_links=int(setting("max_links")),
            moderation_keys=list(setting("moderation_keys")),
            disallowed_keys=list(setting("disallowed_keys")),
            disallowed_action=str(setting("disallowed_action")),
            first_time_hold=bool(setting("first_time_hold")),
            approved_before=approved_before,
        )
        now = timezone.now()
        comment = Comment.objects.create(
            bulletin=bulletin,
            parent=parent,
            author_name=name,
            author_email=email,
            email_digest=digest,
            content=content,
            state=verdict.state,
            held_reason=verdict.reason,
            ip=ip or None,
            user_agent=user_agent[:255],
            consent_at=now,
            consent_version=str(setting("consent_version")),
            created_at=now,
        )
        if verdict.state == CommentState.APPROVED:
            public_changed()
    return comment


MODERATION_ACTIONS = {
    "approve": CommentState.APPROVED,
    "hold": CommentState.HELD,
    "spam": CommentState.SPAM,
    "trash": CommentState.TRASH,
}


@transaction.atomic
def comments_moderate(*, actor: Actor, comments: Sequence[Comment], action: str) -> int:
    """Approve, hold, mark as spam or trash `comments`; return how many changed."""
    if action not in MODERATION_ACTIONS:
        raise InvalidInput(_("Unknown moderation action."))
    target = MODERATION_ACTIONS[action]
    now = timezone.now()
    changed = 0
    public = False
    for comment in comments:
        if comment.state == target:
            continue
        public = public or CommentState.APPROVED in (comment.state, target)
        comment.state = target
        if target == CommentState.APPROVED:
            comment.held_reason = HeldReason.NONE
        comment.moderated_at = now
        comment.moderated_by = actor
        comment.save(update_fields=["state", "held_reason", "moderated_at", "moderated_by"])
        changed += 1
    if changed:
        _log(f"comment.{action}", actor=actor, count=changed)
    if public:
        public_changed()
    return changed


@transaction.atomic
def comment_reply(*, actor: User, parent: Comment, content: str) -> Comment:
    """Answer `parent` as the moderator (approved at once; the parent approved with it)."""
    content = content.strip()
    if not content:
        raise InvalidInput(Problem(_("Write your reply."), Location(field="content")))
    if len(content) > int(setting("comment_max_chars")):
        raise InvalidInput(Problem(_("Your reply is too long."), Location(field="content")))
    top = parent.parent or parent
    if parent.state != CommentState.APPROVED:
        comments_moderate(actor=actor, comments=[parent], action="approve")
    reply = Comment.objects.create(
        bulletin=parent.bulletin,
        parent=top,
        author_name=actor.get_full_name() or actor.get_username(),
        content=content,
        state=CommentState.APPROVED,
        staff_author=actor,
        moderated_at=timezone.now(),
        moderated_by=actor,
    )
    public_changed()
    return reply


# --- The commenter's rights (Law 91/2025/QH15) -----------------------------------------------


@transaction.atomic
def comments_erase(*, digest: str, actor: Actor = None) -> int:
    """Anonymise every comment of the person with email `digest`, as WordPress's eraser does:
    the name becomes "Ẩn danh", the email, address and browser go; the text stays."""
    comments = Comment.objects.filter(email_digest=digest, anonymised_at__isnull=True)
    public = comments.filter(state=CommentState.APPROVED).exists()
    count = comments.update(
        author_name=ANONYMOUS,
        author_email="",
        email_digest="",
        ip=None,
        user_agent="",
        anonymised_at=timezone.now(),
    )
    _log("rights.erased", actor=actor, digest=digest, count=count)
    if public:
        public_changed()
    return count


@transaction.atomic
def comments_retention(*, now: Any = None) -> int:
    """Anonymise the email, address and browser of comments older than the retention period."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(setting("retention_days")))
    old = Comment.objects.filter(created_at__lt=cutoff, anonymised_at__isnull=True).exclude(
        author_email="", ip__isnull=True
    )
    count = old.update(author_email="", email_digest="", ip=None, user_agent="", anonymised_at=now)
    _log("retention.anonymised", count=count, detail=f"before {cutoff:%Y-%m-%d}")
    return count


def rights_log(kind: str, *, digest: str, count: int = 0) -> None:
    """Log a step of a rights request (asked, link opened, list shown) by the email's digest."""
    _log(kind, digest=digest, count=count)
