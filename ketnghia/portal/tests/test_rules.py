from __future__ import annotations

from ketnghia.portal import rules
from ketnghia.portal.rules import CommentState, HeldReason


def test_slug_has_no_diacritics_and_is_unique() -> None:
    assert rules.slug_for("Đắk Hà: giảm nghèo") == "dak-ha-giam-ngheo"
    assert (
        rules.slug_for("Đắk Hà: giảm nghèo", taken=["dak-ha-giam-ngheo"]) == "dak-ha-giam-ngheo-2"
    )


def test_body_loses_scripts_event_handlers_and_javascript_links() -> None:
    dirty = (
        '<p onclick="steal()">a<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><a href="https://a.vn">ok</a>'
    )
    clean = rules.sanitise_body(dirty)
    for bad in ("script", "onclick", "javascript:", "onerror", "<img"):
        assert bad not in clean
    assert 'href="https://a.vn"' in clean


def test_comment_links_are_inert_and_text_escaped() -> None:
    out = rules.inert_links(
        '<b>hi</b> xem https://vi.wikipedia.org/x?a=1&b=2 "javascript:alert(1)"'
    )
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert 'rel="nofollow ugc noopener"' in out
    assert 'href="javascript' not in out


def _verdict(**kwargs: object) -> rules.Verdict:
    defaults: dict[str, object] = {
        "fields": ["An", "an@example.vn", "Chào", "10.0.0.1", "Firefox"],
        "content": "Chào",
        "manual_moderation": False,
        "max_links": 2,
        "moderation_keys": [],
        "disallowed_keys": [],
        "disallowed_action": "spam",
        "first_time_hold": True,
        "approved_before": True,
    }
    return rules.comment_verdict(**{**defaults, **kwargs})  # type: ignore[arg-type]


def test_wordpress_rules_in_order() -> None:
    assert _verdict().state == CommentState.APPROVED
    assert _verdict(approved_before=False).reason == HeldReason.FIRST_TIME
    assert _verdict(manual_moderation=True).reason == HeldReason.MANUAL
    two = "http://a.vn http://b.vn"
    assert _verdict(content=two).reason == HeldReason.LINKS
    assert _verdict(content="http://a.vn").state == CommentState.APPROVED
    assert _verdict(moderation_keys=["firefox"]).reason == HeldReason.MODERATION_KEY
    spam = _verdict(disallowed_keys=["chao"])  # diacritics ignored
    assert spam.state == CommentState.SPAM and spam.reason == HeldReason.DISALLOWED
    assert _verdict(disallowed_keys=["chào"], disallowed_action="trash").state == CommentState.TRASH


def test_small_cells_are_not_publishable() -> None:
    assert rules.publishable(100, 300, 10)
    assert not rules.publishable(5, 300, 10)  # five poor households
    assert not rules.publishable(295, 300, 10)  # five not poor
    assert not rules.publishable(0, 8, 10)
    assert rules.publishable(0, 300, 10)
    assert not rules.publishable(None, 300, 10)


def test_bulletin_states() -> None:
    assert rules.next_state("submit", "draft") == "in_review"
    assert rules.next_state("publish", "in_review") == "published"
    assert rules.next_state("withdraw", "draft") is None
    assert rules.next_state("nonsense", "draft") is None
