"""In a real browser, the issue's "Done when": the editor publishes a bulletin built from the
review report; a reader's first comment is held, the moderator approves it, it shows with the
name and without the email (page source and feed), its script stays inert; the same reader's
second comment appears at once; an erasure request anonymises both. axe-core (from npm, no
CDN) finds no serious or critical violation on the public pages and the comment form.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401 (fixtures)
from ketnghia.portal.models import Bulletin, Comment
from ketnghia.portal.tests.conftest import Portal
from ketnghia.reports.tests.conftest import small_program  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
EMAIL = "nguoi.doc.an@example.vn"
SCRIPT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


def _axe(page: Page) -> list[str]:  # noqa: F811
    """Run axe-core in the page; return its serious and critical violations."""
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is not installed (make install runs npm ci)")
    # Evaluated by the test driver (as DevTools would), so the site's CSP needs no exception.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(n["target"]) + " " + n.get("failureSummary", "")[-120:] for n in v["nodes"])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _comment(page: Page, url: str, text: str) -> None:  # noqa: F811
    page.goto(url)
    page.locator("#id_content").fill(text)
    page.locator("#id_name").fill("Chị Ân")
    page.locator("#id_email").fill(EMAIL)
    page.get_by_test_id("consent").check()
    page.get_by_test_id("comment-submit").click()


def test_done_when_flow_and_axe(
    page: Page,  # noqa: F811
    live_server,
    portal: Portal,
    small_program,  # noqa: F811
    settings,
) -> None:
    settings.KETNGHIA_PORTAL = {"flood_seconds": 0}
    # The machine is shared with other test runs: give each step time.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    base = live_server.url
    # The editor makes the bulletin from the review report, then publishes it.
    _sign_in(page, base, "editor62", "/bulletins/manage/")
    page.get_by_test_id("from-report-submit").click()
    expect(page.get_by_test_id("bulletin-state")).to_contain_text("Bản nháp")
    page.get_by_test_id("move-publish").click()
    expect(page.get_by_test_id("bulletin-state")).to_contain_text("Đã đăng")
    bulletin = Bulletin.objects.exclude(pk=portal.bulletin.pk).get()
    url = base + bulletin.get_absolute_url()
    page.context.clear_cookies()

    # An anonymous reader: the first comment is held.
    _comment(page, url, "Cảm ơn bản tin. " + SCRIPT)
    expect(page.get_by_test_id("comment-held")).to_be_visible()
    assert Comment.objects.get(bulletin=bulletin).state == "held"
    reader_cookies = page.context.cookies()
    page.context.clear_cookies()

    # The moderator approves it.
    _sign_in(page, base, "moderator62", "/bulletins/moderation/")
    row = page.get_by_test_id("queue-row").first
    expect(row).to_contain_text("Lần đầu bình luận")
    row.locator('input[type="checkbox"]').check()
    page.get_by_test_id("bulk-action").select_option("approve")
    page.get_by_test_id("bulk-apply").click()
    expect(page.get_by_test_id("count-approved")).to_contain_text("1")
    page.context.clear_cookies()
    page.context.add_cookies(reader_cookies)

    # It shows with the name, without the email anywhere; its script stays inert.
    page.goto(url)
    expect(page.get_by_test_id("comment-author").first).to_have_text("Chị Ân")
    assert EMAIL not in page.content()
    source = page.request.get(url).text()
    assert EMAIL not in source and "nguoi.doc.an" not in source
    assert page.evaluate("() => window.__pwned") is None
    expect(page.get_by_test_id("comment-text").first).to_contain_text("<script>")
    feed = page.request.get(base + "/bulletins/feed/").text()
    assert EMAIL not in feed and bulletin.title in feed

    # axe on the public pages and the comment form (with its errors shown too).
    violations = {}
    for path in (
        "/bulletins/",
        bulletin.get_absolute_url(),
        "/bulletins/figures/nq04/",
        "/bulletins/rights/",
    ):
        page.goto(base + path)
        violations[path] = _axe(page)
    page.goto(url)
    page.get_by_test_id("comment-submit").click()  # empty: the errors beside the fields
    expect(page.get_by_test_id("comment-errors")).to_be_visible()
    violations["comment form with errors"] = _axe(page)
    assert {k: v for k, v in violations.items() if v} == {}, json.dumps(
        violations, ensure_ascii=False
    )

    # The same reader again: published at once.
    _comment(page, url, "Lần thứ hai.")
    expect(page.get_by_test_id("comment-published")).to_be_visible()
    expect(page.get_by_test_id("comments")).to_contain_text("Lần thứ hai.")

    # The erasure request: a signed link by email, then both comments are anonymised.
    page.goto(base + "/bulletins/rights/")
    page.locator("#id_email").fill(EMAIL)
    page.get_by_label("Xóa bình luận của tôi").check()
    page.get_by_test_id("rights-submit").click()
    expect(page.get_by_test_id("rights-sent")).to_be_visible()
    link = re.search(r"https?://\S+/bulletins/rights/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_test_id("rights-erase").click()
    expect(page.get_by_test_id("rights-erased")).to_contain_text("2")
    page.goto(url)
    expect(page.get_by_test_id("comments")).not_to_contain_text("Chị Ân")
    expect(page.get_by_test_id("comment-author").first).to_have_text("Ẩn danh")
    assert not Comment.objects.filter(author_email=EMAIL).exists()


def test_the_editor_loads_in_the_page_under_the_csp(
    page: Page,  # noqa: F811
    live_server,
    portal: Portal,
) -> None:
    errors: list[str] = []
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, live_server.url, "editor62", "/bulletins/manage/new/")
    expect(page.locator(".prose-editor").first).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_public_pages_fit_a_phone(
    browser,  # noqa: F811
    live_server,
    portal: Portal,
    small_program,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(60_000)
    phone = context.new_page()
    wide = {}
    for path in (
        "/bulletins/",
        portal.bulletin.get_absolute_url(),
        "/bulletins/figures/nq04/",
        "/bulletins/rights/",
    ):
        phone.goto(live_server.url + path)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    context.close()
    assert wide == {}
