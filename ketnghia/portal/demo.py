"""The demo's bulletins: built from the demo's review report and figures, with synthetic
comments in every moderation state, all marked as demo data. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketnghia.core.gate import EVERYTHING
from ketnghia.geo.models import Unit
from ketnghia.portal import figures, services
from ketnghia.portal.from_report import draft_from_report
from ketnghia.portal.models import Bulletin, Comment
from ketnghia.portal.rules import CommentState, HeldReason
from ketnghia.programs.models import Program

# Invented readers; emails on the reserved .invalid domain (RFC 2606), never deliverable.
_COMMENTS = [
    ("Y Blông", "Xin cảm ơn Ban chỉ đạo, thôn em năm nay có thêm đường bê tông.", "approved"),
    ("A Thuyên", "Mong tỉnh tiếp tục hỗ trợ giống cà phê cho các hộ mới thoát nghèo.", "approved"),
    ("Nguyễn Văn Hải", "Số liệu của xã tôi có khác năm ngoái không?", "held"),
    ("Khuyến mãi", "Mua ngay tại http://spam.example http://spam.example/2", "spam"),
    ("Ẩn danh", "Nội dung không phù hợp.", "trash"),
]


def _comment(bulletin: Bulletin, n: int, name: str, content: str, state: str) -> Comment:
    reason = {
        "held": HeldReason.FIRST_TIME,
        "spam": HeldReason.LINKS,
        "trash": HeldReason.DISALLOWED,
    }.get(state, HeldReason.NONE)
    return Comment.objects.create(
        bulletin=bulletin,
        author_name=name,
        author_email=f"doc-gia-{n}@demo.invalid",
        email_digest=services.email_digest(f"doc-gia-{n}@demo.invalid"),
        content=content,
        state=CommentState(state),
        held_reason=reason,
        consent_at=timezone.now() - timedelta(days=n),
        consent_version="2026-01",
        created_at=timezone.now() - timedelta(days=n, hours=n),
        is_demo=True,
    )


@transaction.atomic
def write_bulletins(*, editor: Any, moderator: Any, province: Unit, program: Program) -> int:
    """Write the demo's bulletins once; return how many were made (0 when already there)."""
    if Bulletin.objects.filter(is_demo=True).exists():
        return 0
    made = []
    report = draft_from_report(
        actor=editor,
        scope=EVERYTHING,
        province=province,
        program_code=program.code,
        baseline=2007,
        year=2015,
        is_demo=True,
    )
    made.append(report)
    year = figures.latest_year(program)
    if year is not None:
        shown = [f for f in figures.program_figures_public(program, year) if f.shown]
        items = "".join(f"<li>{f.label}: <strong>{f.text}</strong></li>" for f in shown)
        made.append(
            services.bulletin_create(
                actor=editor,
                unit=province,
                title=f"Số liệu chính thức năm {year} của {program.name}",
                lead=f"Các chỉ tiêu chính của chương trình năm {year}, từ các đợt rà soát đã phê duyệt.",
                body=f"<p>Bảng số liệu dưới đây được tổng hợp từ hệ thống.</p><ul>{items}</ul>",
                byline="Ban biên tập (dữ liệu mẫu)",
                tags=["Số liệu", "Giảm nghèo"],
                is_demo=True,
            )
        )
    for bulletin in made:
        services.bulletin_transition(actor=editor, bulletin=bulletin, action="submit")
        services.bulletin_transition(actor=editor, bulletin=bulletin, action="publish")
    first = made[0]
    comments = [_comment(first, n, *row) for n, row in enumerate(_COMMENTS, start=1)]
    reply = services.comment_reply(
        actor=moderator, parent=comments[0], content="Cảm ơn bạn đã theo dõi bản tin."
    )
    Comment.objects.filter(pk=reply.pk).update(is_demo=True)
    return len(made)
