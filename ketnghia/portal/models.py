"""Bulletins, their images and tags, comments, and the log of the portal's steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.portal.rules import BulletinState, CommentState, HeldReason


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:tag", args=[self.slug])


class Bulletin(models.Model):
    """A public bulletin of a province's program: written by its editors, read by anyone."""

    # The province the bulletin speaks for: the gate gives editors their province's bulletins.
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=90, unique=True)
    lead = models.TextField(_("lead"), max_length=1000, blank=True)
    # Sanitised HTML (rules.sanitise_body), never stored as typed.
    body = models.TextField(_("body"), blank=True)
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="bulletins", verbose_name=_("tags"))
    state = models.CharField(
        _("state"), max_length=20, choices=BulletinState.choices, default=BulletinState.DRAFT
    )
    comments_open = models.BooleanField(_("comments open"), default=True)
    # What the search looks in, diacritics folded ("dak ha" finds "Đắk Hà").
    search_text = models.TextField(blank=True, editable=False)
    source = models.CharField(_("made from"), max_length=255, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["state", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:bulletin", args=[self.slug])


class BulletinTransition(models.Model):
    """One step of a bulletin's life: who moved it from which state to which, when."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, choices=BulletinState.choices)
    to_state = models.CharField(max_length=20, choices=BulletinState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class BulletinImage(models.Model):
    """A picture of a bulletin (a chart, a photo), stored through `core.attachments`."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="images")
    attachment = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt = models.CharField(_("text alternative"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.alt

    def get_absolute_url(self) -> str:
        return reverse("portal:image", args=[self.attachment.key])


class Comment(models.Model):
    """A reader's comment. The email is never shown: not in pages, feeds, the API or exports."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author_name = models.CharField(_("name"), max_length=100)
    author_email = models.EmailField(_("email"), blank=True)
    # A keyed digest of the normalised email: finds one person's comments without the email.
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    content = models.TextField(_("comment"))
    state = models.CharField(
        _("state"), max_length=10, choices=CommentState.choices, default=CommentState.HELD
    )
    held_reason = models.CharField(
        _("reason held"), max_length=20, choices=HeldReason.choices, blank=True
    )
    ip = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    # A moderator's reply is written by a user, not by a reader.
    staff_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["bulletin", "state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.content[:40]}"


class PortalEvent(models.Model):
    """A step of the portal taken on personal data, logged without the email in clear."""

    kind = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The first characters of the email's keyed digest: links the steps of one request.
    subject = models.CharField(max_length=16, blank=True)
    count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.kind
