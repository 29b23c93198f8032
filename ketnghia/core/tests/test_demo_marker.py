"""Pages built on the demo say so, and say what is invented."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketnghia.core.models import Dataset


@pytest.mark.django_db
def test_demo_marker_explains_what_is_invented(client):
    Dataset.objects.create(kind=Dataset.DEMO, description="Danh sách chính thức năm 2007 chưa có.")
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="demo-marker"' in html
    assert "Danh sách chính thức năm 2007 chưa có." in html


@pytest.mark.django_db
def test_no_marker_without_demo_data(client):
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="demo-marker"' not in html


def test_admin_pages_carry_the_marker_too(client, users):
    Dataset.objects.create(kind=Dataset.DEMO, description="")
    client.force_login(users.province_admin)
    for url in (reverse("admin:index"), reverse("admin:geo_unit_changelist")):
        html = client.get(url).content.decode()
        assert 'data-testid="demo-marker"' in html, url
