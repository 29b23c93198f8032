"""The commenter's rights: request by email, signed link, list or erase; retention."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketnghia.portal import services
from ketnghia.portal.models import Comment, PortalEvent
from ketnghia.portal.tests.conftest import Portal

pytestmark = pytest.mark.django_db

EMAIL = "quyen.rieng@example.vn"


def _comment(portal: Portal, content: str, ip: str) -> Comment:
    comment = services.comment_submit(
        bulletin=portal.bulletin,
        name="Chị Quyên",
        email=EMAIL,
        content=content,
        consent=True,
        ip=ip,
    )
    assert comment is not None
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    return comment


def _ask(client: Client, kind: str, django_capture_on_commit_callbacks: object) -> str:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(reverse("portal:rights"), {"email": EMAIL, "kind": kind})
    assert response.status_code == 200
    assert 'data-testid="rights-sent"' in response.content.decode()
    message = mail.outbox[-1]
    assert message.to == [EMAIL]
    link = re.search(r"http://testserver(/bulletins/rights/[^\s]+/)", message.body)
    assert link is not None
    assert EMAIL not in link.group(1)
    return link.group(1)


def test_list_then_erase_by_signed_link(portal: Portal, django_capture_on_commit_callbacks) -> None:
    first = _comment(portal, "Ý kiến một", "10.0.0.1")
    services.comments_moderate(actor=portal.moderator, comments=[first], action="approve")
    _comment(portal, "Ý kiến hai", "10.0.0.2")
    client = Client()
    listing = client.get(_ask(client, "list", django_capture_on_commit_callbacks)).content.decode()
    assert "Ý kiến một" in listing and "Ý kiến hai" in listing
    assert EMAIL not in listing
    erase_link = _ask(client, "erase", django_capture_on_commit_callbacks)
    confirm = client.get(erase_link)
    assert 'data-testid="rights-erase"' in confirm.content.decode()
    assert Comment.objects.filter(author_email=EMAIL).count() == 2  # a GET changes nothing
    done = client.post(erase_link)
    assert 'data-testid="rights-erased"' in done.content.decode()
    assert not Comment.objects.filter(author_email=EMAIL).exists()
    assert set(Comment.objects.values_list("author_name", flat=True)) == {"Ẩn danh"}
    assert not Comment.objects.exclude(ip=None).exists()
    kinds = set(PortalEvent.objects.values_list("kind", flat=True))
    assert {"rights.requested.list", "rights.opened.list", "rights.erased"} <= kinds
    for row in PortalEvent.objects.values("subject", "detail"):
        assert EMAIL not in str(row) and "quyen" not in str(row)


def test_a_forged_or_expired_link_is_refused(portal: Portal, settings) -> None:
    _comment(portal, "Ý kiến", "10.0.0.1")
    client = Client()
    response = client.post(reverse("portal:rights_link", args=["forged-token"]))
    assert response.status_code == 400
    assert Comment.objects.filter(author_email=EMAIL).exists()


def test_a_bad_email_gets_a_message(portal: Portal) -> None:
    response = Client().post(reverse("portal:rights"), {"email": "not an email", "kind": "erase"})
    assert response.status_code == 400
    assert not mail.outbox


def test_retention_command(portal: Portal) -> None:
    old = _comment(portal, "Cũ", "10.0.0.1")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=731))
    recent = _comment(portal, "Mới", "10.0.0.2")
    out = StringIO()
    call_command("portal-retention", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.author_email == "" and old.ip is None
    assert recent.author_email == EMAIL
    assert PortalEvent.objects.filter(kind="retention.anonymised", count=1).exists()
    call_command("portal-retention", "--enqueue", stdout=StringIO())  # immediate backend in tests
