"""The portal's to-dos on an editor's or a moderator's home (registered with `dashboards.todos`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketnghia.core import gate
from ketnghia.dashboards.todos import Todo
from ketnghia.portal import selectors
from ketnghia.portal.rules import BulletinState, CommentState


def portal_todos(user: Any) -> list[Todo]:
    """Return the bulletins waiting for the editor and the comments held for the moderator."""
    items: list[Todo] = []
    if gate.allows(user, "portal.edit"):
        scope = gate.scope_for(user, gate.Action.PUBLISH)
        rows = selectors.bulletins_for(scope=scope)
        review = rows.filter(state=BulletinState.IN_REVIEW).count()
        drafts = rows.filter(state=BulletinState.DRAFT).count()
        if review:
            items.append(
                Todo(
                    "bulletins-review",
                    ngettext(
                        "%(n)d bulletin waits for review.",
                        "%(n)d bulletins wait for review.",
                        review,
                    )
                    % {"n": review},
                    reverse("portal:manage") + "?state=in_review",
                )
            )
        if drafts:
            items.append(
                Todo(
                    "bulletins-draft",
                    ngettext("%(n)d draft bulletin.", "%(n)d draft bulletins.", drafts)
                    % {"n": drafts},
                    reverse("portal:manage") + "?state=draft",
                    level="info",
                )
            )
        published = rows.filter(state=BulletinState.PUBLISHED).count()
        items.append(
            Todo(
                "bulletins-published",
                _("%(n)d bulletin(s) published.") % {"n": published},
                reverse("portal:list"),
                level="info",
            )
        )
    if gate.allows(user, "portal.moderate"):
        scope = gate.scope_for(user, gate.Action.MODERATE)
        held = selectors.comment_counts_for(scope=scope)[CommentState.HELD]
        items.append(
            Todo(
                "comments-held",
                ngettext(
                    "%(n)d comment waits for moderation.",
                    "%(n)d comments wait for moderation.",
                    held,
                )
                % {"n": held},
                reverse("portal:moderation"),
                level="warning" if held else "info",
            )
        )
    return items
