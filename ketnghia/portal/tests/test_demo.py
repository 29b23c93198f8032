"""The demo's bulletins: from its review report, published, comments in every state, marked
demo; its editor and moderator work for Tỉnh Kon Tum; the public-data walk passes on it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ketnghia.accounts.models import User
from ketnghia.demo.tests.conftest import demo  # noqa: F401 (the session's demo)
from ketnghia.portal.models import Bulletin, Comment
from ketnghia.portal.rules import BulletinState, CommentState
from ketnghia.portal.tests.test_public_data import _walk
from ketnghia.programs.models import Program

pytestmark = pytest.mark.django_db


def test_demo_bulletins_comments_and_the_walk(demo) -> None:  # noqa: F811
    bulletins = list(Bulletin.objects.filter(is_demo=True))
    assert len(bulletins) == 2  # (a second demo_load, as other demo tests run, adds none)
    assert all(b.state == BulletinState.PUBLISHED for b in bulletins)
    assert any(b.images.exists() for b in bulletins)
    states = set(Comment.objects.filter(is_demo=True).values_list("state", flat=True))
    assert states == set(CommentState.values)
    for username in ("demo-editor", "demo-moderator"):
        user = User.objects.get(username=username)
        assert user.jurisdiction is not None and user.jurisdiction.name == "Tỉnh Kon Tum"
    client = Client()
    page = client.get(bulletins[0].get_absolute_url()).content.decode()
    assert 'data-testid="demo-marker"' in page
    assert _walk(Program.objects.get(code="nq04")) == []
    moderator = Client()
    moderator.force_login(User.objects.get(username="demo-moderator"))
    queue = moderator.get(reverse("portal:moderation")).content.decode()
    assert 'data-testid="queue-row"' in queue
