"""A seeded personal ID comes out only through the routes that serve a registered output.

Every GET route of the project (pages, API, downloads, admin pages without a regex) is
requested as a superuser — who sees everything in full — over a round whose household holds
the sentinel number, a refused upload carrying it and an attachment. A route whose answer
(unzipped for .xlsx) carries the number must be one that serves an output of
`personal_data.OUTPUTS`; a new page that prints members' IDs on its own fails here.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from ketnghia.accounts.models import User
from ketnghia.census import services
from ketnghia.census.tasks import census_import_enqueue
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import series
from ketnghia.core.attachments import attachment_store
from ketnghia.core.gate import iter_routes
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

SENTINEL = "001234567889"  # household A's head (census.tests.factories.HEADS)
# Routes that serve a registered output (personal_data.OUTPUTS), and nothing else may.
OUTPUT_ROUTES = {
    "census/<str:commune>/households/<str:code>/": "census.household_page",
    "api/households/<str:commune>/<str:code>/": "census.household_api",
    "census/<str:commune>/<int:year>/template/": "census.template_xlsx",
    "census/<str:commune>/<int:year>/import/<int:job>/errors.xlsx": "census.import_errors_xlsx",
}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _carried(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


def test_the_sentinel_leaves_only_through_registered_outputs(
    client, tree, users, tmp_path, django_capture_on_commit_callbacks
):
    series(tree, users)
    census = services.census_round_create(
        commune=tree.ngok_wang, year=2017, standard_code="vn-2016"
    )
    standard = get_standard("vn-2016")
    rows = [[*household("A", "Nguyễn Văn An", "Thôn 9", "-1", [0] * 10), SENTINEL]]
    path = write_csv(tmp_path / "loi.csv", [*headers(standard), "Số CCCD"], rows)
    with django_capture_on_commit_callbacks(execute=True):
        job = census_import_enqueue(
            census_round=census,
            uploaded_file=SimpleUploadedFile("loi.csv", path.read_bytes()),
            dry_run=True,
            actor=users.commune_officer,
        )
    attachment = attachment_store(
        uploaded_file=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n"),
        actor=None,
        unit_path=tree.ngok_wang.path,
        purpose="test",
    )
    values = {
        "commune": "23500",
        "year": "2017",
        "code": "A",
        "job": str(job.pk),
        "key": str(attachment.key),
        "pk": "1",
        "object_id": str(Household.objects.get(code="A").pk),
        "app_label": "households",
        "path": "",
    }
    client.force_login(User.objects.create_superuser("root", password="Kh0ng-d0an-duoc-9"))

    leaking, served = set(), 0
    for route, _callback, _namespaces in iter_routes(get_resolver().url_patterns):
        if "^" in route or "(?P" in route:
            continue  # regex routes (admin's app index), not a personal-data output
        names = [name for _converter, name in _PARAMETER.findall(route)]
        if any(name not in values for name in names):
            continue
        url = "/" + _PARAMETER.sub(lambda m: values[m.group(2)], route)
        response = client.get(url)
        if response.status_code != 200:
            continue
        served += 1
        if SENTINEL in _carried(response):
            leaking.add(route)
    assert served > 20  # the walk really reached the pages
    assert leaking - set(OUTPUT_ROUTES) == set()
    # …and the walk saw the outputs themselves carry the number (the test can fail).
    assert {OUTPUT_ROUTES[route] for route in leaking} >= {
        "census.household_page",
        "census.household_api",
        "census.template_xlsx",
        "census.import_errors_xlsx",
    }
