"""The commenter's rights (Law 91/2025/QH15): a request by email, a signed link, then the
list of one's comments or their erasure. The link carries the email's digest, never the email.
"""

from __future__ import annotations

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.portal import services
from ketnghia.portal.conf import setting

SALT = "ketnghia.portal.rights"
KINDS = ("list", "erase")


def token_make(*, digest: str, kind: str) -> str:
    return signing.dumps({"d": digest, "k": kind}, salt=SALT, compress=True)


def token_read(token: str) -> tuple[str, str] | None:
    """Return (digest, kind) of a valid, unexpired link; None otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=int(setting("rights_link_seconds")))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS or not data.get("d"):
        return None
    return str(data["d"]), str(data["k"])


def rights_request(*, email: str, kind: str, link_for: object) -> None:
    """Send `email` a signed link to list or erase their comments (sent whether or not they
    have any, so the form tells nobody whose email has commented); log the step."""
    digest = services.email_digest(email)
    url = link_for(token_make(digest=digest, kind=kind))  # type: ignore[operator]
    if kind == "erase":
        subject = _("Erase your comments")
        body = _(
            "Someone (we hope you) asked to erase the comments written with this email. Open "
            "this link to confirm; it is valid for 24 hours:\n\n%(url)s\n\nIf you did not ask, "
            "ignore this message: nothing changes."
        ) % {"url": url}
    else:
        subject = _("Your comments")
        body = _(
            "Someone (we hope you) asked for the list of the comments written with this email. "
            "Open this link to see them; it is valid for 24 hours:\n\n%(url)s\n\nIf you did not "
            "ask, ignore this message."
        ) % {"url": url}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email.strip()]))
    services.rights_log(f"rights.requested.{kind}", digest=digest)
