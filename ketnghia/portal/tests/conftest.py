"""Fixtures of the portal's tests: the conftest tree's province with an editor and a moderator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from ketnghia.accounts.models import Role, User
from ketnghia.accounts.services import user_create
from ketnghia.conftest import Tree
from ketnghia.portal import services
from ketnghia.portal.models import Bulletin

PASSWORD = "Kh0ng-d0an-duoc"


@dataclass
class Portal:
    tree: Tree
    editor: User
    moderator: User
    bulletin: Bulletin


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def make_published(editor: User, tree: Tree, title: str = "Đắk Hà giảm nghèo nhanh") -> Bulletin:
    bulletin = services.bulletin_create(
        actor=editor,
        unit=tree.province,
        title=title,
        lead="Tỷ lệ hộ nghèo giảm.",
        body="<p>Nội dung <strong>chính</strong>.</p>",
        byline="Ban biên tập",
        tags=["Giảm nghèo", "Đắk Hà"],
    )
    return services.bulletin_transition(actor=editor, bulletin=bulletin, action="publish")


@pytest.fixture
def portal(tree: Tree) -> Portal:
    editor = user_create(
        username="editor62", password=PASSWORD, role=Role.PUBLIC_EDITOR, jurisdiction=tree.province
    )
    moderator = user_create(
        username="moderator62",
        password=PASSWORD,
        role=Role.PUBLIC_MODERATOR,
        jurisdiction=tree.province,
    )
    return Portal(tree, editor, moderator, make_published(editor, tree))
