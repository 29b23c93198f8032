"""The public pages and the staff pages through the test client (CSRF enforced)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ketnghia.portal import services
from ketnghia.portal.models import Bulletin, Comment
from ketnghia.portal.rules import CommentState
from ketnghia.portal.tests.conftest import PASSWORD, Portal

pytestmark = pytest.mark.django_db

EMAIL = "ybun.secret@example.vn"


def _token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _comment(client: Client, portal: Portal, **data: str) -> object:
    url = portal.bulletin.get_absolute_url()
    form = {
        "csrfmiddlewaretoken": _token(client, url),
        "name": "Y Bun",
        "email": EMAIL,
        "content": "Cảm ơn <script>alert(1)</script>",
        "consent": "on",
        **data,
    }
    return client.post(reverse("portal:comment", args=[portal.bulletin.slug]), form)


def test_public_pages_open_without_signing_in(portal: Portal) -> None:
    client = Client()
    for url in (
        reverse("portal:list"),
        reverse("portal:list") + "?q=dak+ha",
        portal.bulletin.get_absolute_url(),
        reverse("portal:tag", args=["giam-ngheo"]),
        reverse("portal:feed"),
        reverse("portal:rights"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(portal.bulletin.get_absolute_url()).content.decode()
    assert (
        '<link rel="canonical" href="http://testserver/bulletins/dak-ha-giam-ngheo-nhanh/">' in html
    )
    assert 'property="og:title"' in html
    search = client.get(reverse("portal:list") + "?q=DAK HA").content.decode()
    assert "Đắk Hà giảm nghèo nhanh" in search


def test_a_draft_is_not_public(portal: Portal) -> None:
    draft = services.bulletin_create(actor=portal.editor, unit=portal.tree.province, title="Bí mật")
    client = Client()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Bí mật" not in client.get(reverse("portal:list")).content.decode()
    assert "Bí mật" not in client.get(reverse("portal:feed")).content.decode()


def test_comment_held_approved_shown_without_email_and_script_inert(portal: Portal) -> None:
    client = Client(enforce_csrf_checks=True)
    response = _comment(client, portal)
    assert response.status_code == 302 and "comment=held" in response["Location"]
    comment = Comment.objects.get()
    assert comment.state == CommentState.HELD
    services.comments_moderate(actor=portal.moderator, comments=[comment], action="approve")
    for url in (portal.bulletin.get_absolute_url(), reverse("portal:feed"), reverse("portal:list")):
        body = client.get(url).content.decode()
        assert EMAIL not in body and "ybun.secret" not in body
    html = client.get(portal.bulletin.get_absolute_url()).content.decode()
    assert "Y Bun" in html
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )


def test_comment_without_csrf_is_refused(portal: Portal) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("portal:comment", args=[portal.bulletin.slug]),
        {"name": "A", "email": "a@example.vn", "content": "x", "consent": "on"},
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"consent": ""}, 400, "đồng ý"),
        ({"parent": "999999"}, 400, "không thể trả lời"),
        ({"content": "x" * 5001}, 400, "5.000"),
    ],
)
def test_bad_comment_gets_a_vietnamese_message(
    portal: Portal, data: dict, status: int, message: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = _comment(client, portal, **data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_duplicate_and_flood_status(portal: Portal) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _comment(client, portal).status_code == 302
    assert _comment(client, portal).status_code == 409
    assert _comment(client, portal, content="khác").status_code == 429


def test_closed_comments(portal: Portal) -> None:
    portal.bulletin.comments_open = False
    portal.bulletin.save()
    cache.clear()
    client = Client(enforce_csrf_checks=True)
    url = portal.bulletin.get_absolute_url()
    assert 'data-testid="comments-closed"' in client.get(url).content.decode()
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("portal:comment", args=[portal.bulletin.slug]),
        {
            "csrfmiddlewaretoken": token,
            "name": "A",
            "email": "a@e.vn",
            "content": "x",
            "consent": "on",
        },
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_public_page_cached_with_etag_and_invalidated_on_approval(portal: Portal) -> None:
    client = Client()
    url = portal.bulletin.get_absolute_url()
    first = client.get(url)
    assert first["Cache-Control"].startswith("public")
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    comment = services.comment_submit(
        bulletin=portal.bulletin,
        name="A",
        email="a@e.vn",
        content="Mới",
        consent=True,
        ip="1.1.1.1",
    )
    assert comment is not None
    services.comments_moderate(actor=portal.moderator, comments=[comment], action="approve")
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and "Mới" in fresh.content.decode()


def test_signed_in_pages_are_not_cached(portal: Portal) -> None:
    client = Client()
    client.force_login(portal.editor)
    response = client.get(portal.bulletin.get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_editor_writes_submits_and_publishes(portal: Portal) -> None:
    client = Client()
    client.force_login(portal.editor)
    response = client.post(
        reverse("portal:bulletin_new"),
        {
            "title": "Tin mới về Đăk Mar",
            "lead": "Tóm tắt",
            "body": "<p>a</p><script>x()</script>",
            "tags": "Đăk Mar",
        },
    )
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    editor_page = client.get(reverse("portal:bulletin_edit", args=[pk]))
    assert editor_page.status_code == 200
    assert "sha256-" in editor_page["Content-Security-Policy"]
    for action in ("submit", "publish"):
        assert client.post(reverse("portal:bulletin_move", args=[pk, action])).status_code == 302
    public = Client().get("/bulletins/tin-moi-ve-dak-mar/")
    assert public.status_code == 200 and "x()" not in public.content.decode()


def test_moderator_cannot_edit_and_editor_cannot_moderate(portal: Portal) -> None:
    moderator = Client()
    moderator.force_login(portal.moderator)
    assert moderator.get(reverse("portal:manage")).status_code == 403
    assert moderator.get(reverse("portal:moderation")).status_code == 200
    editor = Client()
    editor.force_login(portal.editor)
    assert editor.get(reverse("portal:moderation")).status_code == 403


def test_moderation_queue_counts_reasons_bulk_and_reply(portal: Portal) -> None:
    for n in range(3):
        services.comment_submit(
            bulletin=portal.bulletin,
            name=f"N{n}",
            email=f"n{n}@e.vn",
            content=f"c{n}",
            consent=True,
            ip=f"1.1.1.{n}",
        )
    client = Client()
    client.force_login(portal.moderator)
    html = client.get(reverse("portal:moderation")).content.decode()
    assert "Lần đầu bình luận" in html or "First comment" in html
    ids = list(Comment.objects.values_list("pk", flat=True))
    client.post(
        reverse("portal:moderation") + "?state=held", {"action": "approve", "comment": ids[:2]}
    )
    assert Comment.objects.filter(state=CommentState.APPROVED).count() == 2
    client.post(reverse("portal:reply", args=[ids[0]]), {"content": "Cảm ơn bạn."})
    reply = Comment.objects.get(parent_id=ids[0])
    assert reply.state == CommentState.APPROVED and reply.staff_author == portal.moderator


def test_editor_of_another_province_sees_nothing(portal: Portal) -> None:
    from ketnghia.accounts.models import Role
    from ketnghia.accounts.services import user_create
    from ketnghia.conftest import make_unit
    from ketnghia.geo.models import UnitKind, UnitLevel

    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    stranger = user_create(
        username="e64", password=PASSWORD, role=Role.PUBLIC_EDITOR, jurisdiction=other
    )
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("portal:bulletin_edit", args=[portal.bulletin.pk])).status_code == 404
    assert (
        client.post(
            reverse("portal:bulletin_move", args=[portal.bulletin.pk, "withdraw"])
        ).status_code
        == 404
    )


def test_reply_link_fills_the_parent_and_a_reply_is_nested(portal: Portal) -> None:
    parent = services.comment_submit(
        bulletin=portal.bulletin,
        name="A",
        email="a@e.vn",
        content="Gốc",
        consent=True,
        ip="1.1.1.1",
    )
    assert parent is not None
    services.comments_moderate(actor=portal.moderator, comments=[parent], action="approve")
    client = Client(enforce_csrf_checks=True)
    url = portal.bulletin.get_absolute_url() + f"?reply={parent.pk}"
    html = client.get(url).content.decode()
    assert f'name="parent" value="{parent.pk}"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = client.post(
        reverse("portal:comment", args=[portal.bulletin.slug]),
        {
            "csrfmiddlewaretoken": token,
            "name": "B",
            "email": "b@e.vn",
            "content": "Trả lời",
            "consent": "on",
            "parent": str(parent.pk),
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get(content="Trả lời").parent_id == parent.pk


def test_editor_edits_a_draft_and_a_refused_tag_is_shown_beside_the_tags(portal: Portal) -> None:
    client = Client()
    client.force_login(portal.editor)
    created = client.post(
        reverse("portal:bulletin_new"), {"title": "Bản nháp", "lead": "", "tags": "Đăk Mar"}
    )
    pk = int(created["Location"].rstrip("/").split("/")[-1])
    url = reverse("portal:bulletin_edit", args=[pk])
    edited = {"title": "Tin đã sửa", "lead": "Tóm tắt", "byline": "Ban biên tập", "tags": "A, B"}
    assert client.post(url, edited).status_code == 302
    bulletin = Bulletin.objects.get(pk=pk)
    assert (bulletin.title, bulletin.lead, bulletin.byline) == (
        "Tin đã sửa",
        "Tóm tắt",
        "Ban biên tập",
    )
    assert sorted(t.name for t in bulletin.tags.all()) == ["A", "B"]
    assert bulletin.comments_open is False  # the box left unticked

    refused = client.post(url, {**edited, "title": "Không lưu", "tags": "x" * 61})
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["tags"]
    bulletin.refresh_from_db()
    assert bulletin.title == "Tin đã sửa"
