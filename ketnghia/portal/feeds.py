"""The Atom feed of published bulletins (Django's syndication framework); no comment, no email."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from ketnghia.portal import selectors
from ketnghia.portal.models import Bulletin
from ketnghia.portal.rules import plain_text

FEED_SIZE = 30


class BulletinFeed(Feed):
    feed_type = Atom1Feed
    title = _("Bulletins")
    subtitle = _("Bulletins of the program for especially difficult communes")
    link = "/bulletins/"

    def items(self) -> list[Bulletin]:
        return list(selectors.published()[:FEED_SIZE])

    def item_title(self, item: Bulletin) -> str:
        return item.title

    def item_description(self, item: Bulletin) -> str:
        return item.lead or plain_text(item.body)[:500]

    def item_author_name(self, item: Bulletin) -> str:
        return item.byline

    def item_pubdate(self, item: Bulletin) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Bulletin) -> datetime | None:
        return item.updated_at
