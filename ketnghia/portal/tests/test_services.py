"""Comments as WordPress takes them, and every bad input of the issue at the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from ketnghia.core.errors import InvalidInput
from ketnghia.portal import services
from ketnghia.portal.errors import CommentRefused
from ketnghia.portal.models import Bulletin, Comment, PortalEvent
from ketnghia.portal.rules import BulletinState, CommentState, HeldReason
from ketnghia.portal.tests.conftest import Portal

pytestmark = pytest.mark.django_db


def _post(bulletin: Bulletin, **kwargs: object) -> Comment | None:
    data: dict[str, object] = {
        "name": "Y Bun",
        "email": "ybun@example.vn",
        "content": "Cảm ơn tỉnh.",
        "consent": True,
        "ip": "10.0.0.1",
        "user_agent": "Firefox",
    }
    data.update(kwargs)
    return services.comment_submit(bulletin=bulletin, **data)  # type: ignore[arg-type]


def _age_all(seconds: int = 60) -> None:
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=seconds))


def test_first_comment_held_then_same_person_approved_at_once(portal: Portal) -> None:
    first = _post(portal.bulletin)
    assert first is not None and first.state == CommentState.HELD
    assert first.held_reason == HeldReason.FIRST_TIME
    assert first.consent_at is not None and first.consent_version == "2026-01"
    services.comments_moderate(actor=portal.moderator, comments=[first], action="approve")
    _age_all()
    second = _post(portal.bulletin, content="Lần thứ hai.", ip="10.0.0.2")
    assert second is not None and second.state == CommentState.APPROVED


def test_duplicate_is_refused_with_409(portal: Portal) -> None:
    _post(portal.bulletin)
    _age_all()
    with pytest.raises(CommentRefused) as refused:
        _post(portal.bulletin, ip="10.0.0.9", email="other@example.vn")
    assert refused.value.status == 409
    assert Comment.objects.count() == 1


def test_flood_within_15_seconds_is_refused_with_429(portal: Portal) -> None:
    _post(portal.bulletin)
    with pytest.raises(CommentRefused) as refused:
        _post(portal.bulletin, content="Khác", email="khac@example.vn")
    assert refused.value.status == 429
    with pytest.raises(CommentRefused):
        _post(portal.bulletin, content="Khác nữa", ip="10.9.9.9")  # same email
    assert Comment.objects.count() == 1


@override_settings(KETNGHIA_PORTAL={"flood_seconds": 0, "rate_limit_count": 3})
def test_rate_limit_per_address(portal: Portal) -> None:
    for n in range(3):
        _post(portal.bulletin, content=f"Ý kiến {n}", email=f"n{n}@example.vn")
    with pytest.raises(CommentRefused) as refused:
        _post(portal.bulletin, content="Thêm", email="n9@example.vn")
    assert refused.value.status == 429
    # Another address is not blocked.
    assert _post(portal.bulletin, content="Người khác", email="b@example.vn", ip="10.0.0.7")


def test_consent_unticked_and_missing_fields_store_nothing(portal: Portal) -> None:
    with pytest.raises(InvalidInput) as refused:
        _post(portal.bulletin, consent=False, name="", email="not-an-email", content="")
    fields = {p.location.field for p in refused.value.problems}
    assert fields == {"name", "email", "content", "consent"}
    assert not Comment.objects.exists()


def test_oversized_comment_is_refused(portal: Portal) -> None:
    with pytest.raises(InvalidInput):
        _post(portal.bulletin, content="x" * 5001)
    assert not Comment.objects.exists()


def test_closed_comments_and_unpublished_bulletin(portal: Portal) -> None:
    portal.bulletin.comments_open = False
    portal.bulletin.save()
    with pytest.raises(CommentRefused) as refused:
        _post(portal.bulletin)
    assert refused.value.status == 403
    draft = services.bulletin_create(actor=portal.editor, unit=portal.tree.province, title="Nháp")
    with pytest.raises(CommentRefused) as refused:
        _post(draft)
    assert refused.value.status == 404
    assert not Comment.objects.exists()


def test_forged_parent_is_refused(portal: Portal) -> None:
    other = services.bulletin_create(actor=portal.editor, unit=portal.tree.province, title="Khác")
    services.bulletin_transition(actor=portal.editor, bulletin=other, action="publish")
    foreign = _post(other)
    assert foreign is not None
    services.comments_moderate(actor=portal.moderator, comments=[foreign], action="approve")
    held = _post(portal.bulletin, ip="10.0.0.3", email="c@example.vn", content="giữ")
    _age_all()
    for parent_id in (foreign.pk, held.pk if held else 0, "abc", 999999):
        with pytest.raises(CommentRefused):
            _post(
                portal.bulletin,
                parent_id=parent_id,
                content=f"trả lời {parent_id}",
                ip="10.1.1.1",
                email="d@example.vn",
            )
    assert Comment.objects.count() == 2


def test_honeypot_stores_nothing(portal: Portal) -> None:
    assert _post(portal.bulletin, honeypot="http://spam.example") is None
    assert not Comment.objects.exists()
    assert PortalEvent.objects.filter(kind="comment.honeypot").exists()


def test_script_in_comment_is_kept_as_text_only(portal: Portal) -> None:
    comment = _post(portal.bulletin, content="<script>alert(1)</script>")
    assert comment is not None and comment.content == "<script>alert(1)</script>"


def test_bulletin_body_is_sanitised_and_oversized_refused(portal: Portal) -> None:
    bulletin = services.bulletin_create(
        actor=portal.editor,
        unit=portal.tree.province,
        title="Tin",
        body='<p onmouseover="x()">a</p><script>alert(1)</script><a href="javascript:x()">l</a>',
    )
    assert "script" not in bulletin.body and "onmouseover" not in bulletin.body
    assert "javascript" not in bulletin.body
    with pytest.raises(InvalidInput):
        services.bulletin_create(
            actor=portal.editor, unit=portal.tree.province, title="Dài", body="x" * 200_001
        )


def test_transitions_keep_history(portal: Portal) -> None:
    bulletin = services.bulletin_create(actor=portal.editor, unit=portal.tree.province, title="T")
    services.bulletin_transition(actor=portal.editor, bulletin=bulletin, action="submit")
    services.bulletin_transition(actor=portal.editor, bulletin=bulletin, action="publish")
    services.bulletin_transition(actor=portal.editor, bulletin=bulletin, action="withdraw")
    assert bulletin.state == BulletinState.WITHDRAWN
    steps = list(bulletin.transitions.values_list("from_state", "to_state"))
    assert steps == [("draft", "in_review"), ("in_review", "published"), ("published", "withdrawn")]
    with pytest.raises(InvalidInput):
        services.bulletin_transition(actor=portal.editor, bulletin=bulletin, action="withdraw")


def test_oversized_or_wrong_image_is_refused(portal: Portal) -> None:
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(InvalidInput):
        services.bulletin_image_add(
            actor=portal.editor, bulletin=portal.bulletin, uploaded_file=big, caption="", alt="a"
        )
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + b"0" * 100)
    with pytest.raises(InvalidInput):
        services.bulletin_image_add(
            actor=portal.editor, bulletin=portal.bulletin, uploaded_file=pdf, caption="", alt="a"
        )
    assert not portal.bulletin.images.exists()


def test_erase_and_retention_anonymise(portal: Portal) -> None:
    comment = _post(portal.bulletin)
    assert comment is not None
    count = services.comments_erase(digest=services.email_digest(" YBun@Example.vn "))
    assert count == 1
    comment.refresh_from_db()
    assert comment.author_email == "" and comment.ip is None and comment.author_name == "Ẩn danh"
    assert not PortalEvent.objects.filter(detail__contains="ybun").exists()
    other = _post(portal.bulletin, email="z@example.vn", ip="10.0.0.5", content="cũ")
    assert other is not None
    Comment.objects.filter(pk=other.pk).update(created_at=timezone.now() - timedelta(days=800))
    assert services.comments_retention() == 1
    other.refresh_from_db()
    assert other.author_email == "" and other.ip is None and other.author_name == "Y Bun"
