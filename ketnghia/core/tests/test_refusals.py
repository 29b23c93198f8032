"""A refused request logs one line (user, route, reason); 404 and 403 are the project's pages."""

from __future__ import annotations

import logging

import pytest

from ketnghia.core.models import Dataset


@pytest.fixture
def demo_marker(db) -> None:
    Dataset.objects.create(kind=Dataset.DEMO, description="")


def test_a_refusal_logs_one_line_without_a_traceback(client, users, caplog) -> None:
    client.force_login(users.public_moderator)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/units/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and not record.exc_text
    line = logging.Formatter().format(record)
    assert "\n" not in line
    assert "user=moderator" in line and "route=units/" in line
    assert "rule units.view" in line and "public_moderator" in line


@pytest.mark.parametrize("debug", [True, False])
def test_404_is_the_translated_page_with_the_demo_marker(
    client, users, settings, demo_marker, debug
) -> None:
    settings.DEBUG = debug
    client.force_login(users.commune_officer)
    for url in ("/no-such-page/", "/units/99999999/"):  # no route; a view's Http404
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert 'data-testid="error-404"' in body, url
        assert 'data-testid="demo-marker"' in body
        assert "Không tìm thấy" in body
        assert "DEBUG = True" not in body


def test_403_is_the_translated_page_with_the_demo_marker(
    client, users, settings, demo_marker
) -> None:
    settings.DEBUG = True
    client.force_login(users.public_moderator)
    response = client.get("/units/")
    body = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-403"' in body and 'data-testid="demo-marker"' in body
    assert "Không có quyền truy cập" in body or "Từ chối truy cập" in body
