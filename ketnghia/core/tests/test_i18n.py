"""Vietnamese first, English on request, and a complete Vietnamese catalogue."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def _leave_the_default_language_active():
    # The test client runs requests in this thread and Django leaves the last request's
    # language active: do not hand English to whichever test runs next.
    yield
    translation.deactivate()


def _text(response) -> str:
    return response.content.decode()


def _switch(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.parametrize("accept_language", ["", "en-US,en;q=0.9", "fr"])
def test_pages_are_vietnamese_whatever_the_browser_asks(client, db, accept_language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get(reverse("accounts:login"), headers=headers)
    html = _text(response)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert response["Content-Language"] == "vi"


def test_english_after_the_switch_and_back(client, users):
    client.force_login(users.commune_officer)
    response = _switch(client, "en", "/units/")
    assert response.status_code == 302
    assert response["Location"] == "/units/"

    html = _text(client.get("/units/"))
    assert '<html lang="en">' in html
    assert "Administrative units" in html
    assert "Search units" in html
    assert "Đơn vị hành chính" not in html
    # The switch offers the way back, in its own language (Django spells it decomposed).
    assert 'data-testid="language-vi"' in html
    assert "Tiếng Việt" in unicodedata.normalize("NFC", html)

    _switch(client, "vi")
    html = _text(client.get("/units/"))
    assert '<html lang="vi">' in html
    assert "Đơn vị hành chính" in html
    assert 'data-testid="language-en"' in html
    assert ">English</button>" in html


def test_english_unit_page_and_error_pages(client, users):
    client.force_login(users.commune_officer)
    _switch(client, "en")
    assert "Classification history" in _text(client.get("/units/23500/"))
    missing = client.get("/units/23488/")
    assert missing.status_code == 404
    assert "Not found" in _text(missing)


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="vi">' in _text(client.get(reverse("core:home")))


def test_the_404_page_is_the_sites_own_in_vietnamese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _text(response)
    assert 'data-testid="error-404"' in html
    assert "Không tìm thấy" in html
    assert "bootstrap.min.css" in html


def test_every_message_of_the_vietnamese_catalogue_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.metadata["Language"] == "vi"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], "fill these msgstrs in ketnghia/locale/vi/LC_MESSAGES/django.po"
    assert fuzzy == [], "review these fuzzy translations"


def test_translations_keep_their_placeholders():
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            for placeholder in _placeholders(entry.msgid):
                assert placeholder in text, (entry.msgid, text)


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)[sd]", text)


def test_the_500_page_renders_on_its_own_in_vietnamese():
    # Django renders 500.html without a request: it must not need one.
    with translation.override("vi"):
        html = render_to_string("500.html")
    assert 'data-testid="error-500"' in html
    assert "Lỗi máy chủ" in html
