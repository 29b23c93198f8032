"""The `ketnghia criteria` command and the administrator's new version."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ketnghia.census.tests.factories import approve
from ketnghia.criteria.models import CriteriaSetVersion

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("criteria", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_sets_lists_the_shipped_sets_before_any_sync(db):
    data = json.loads(_run("sets", "--json"))
    assert {(s["code"], s["level"], s["version"]) for s in data} == {
        ("nvv-example", "village", 1),
        ("nvv-example", "commune", 1),
        ("ntm-2021", "commune", 1),
    }
    assert next(s for s in data if s["code"] == "ntm-2021")["verified"] is False


def test_evaluate_prints_units_results_failing_criteria_and_counts(commune, users):
    approve(commune.census_round, users.commune_officer)
    data = json.loads(
        _run("evaluate", "--set", "nvv-example", "--year", "2015", "--level", "village", "--json")
    )
    assert [(u["code"], u["result"], u["failing"]) for u in data["units"]][-1] == (
        "23500-03",
        "not_met",
        ["no_hunger"],
    )
    # The two villages of the tree fixture outside Ngọk Wang have no facts: not met.
    assert data["counts"] == {"not_met": 3, "basically_meets": 2, "meets": 0, "total": 5}
    text = _run("evaluate", "--set", "nvv-example", "--year", "2015", "--level", "commune")
    assert "23500\tbasically_meets" in text


def test_an_unknown_set_exits_2(db):
    with pytest.raises(CommandError) as caught:
        _run("evaluate", "--set", "nope", "--year", "2015", "--level", "village")
    assert caught.value.returncode == 2


def test_the_admin_creates_a_new_version_and_keeps_one_with_results_read_only(
    commune, users, client
):
    approve(commune.census_round, users.commune_officer)
    version = CriteriaSetVersion.objects.get(code="nvv-example", level="village", version=1)
    client.force_login(users.province_admin)
    change = client.get(reverse("admin:criteria_criteriasetversion_change", args=[version.pk]))
    assert change.status_code == 200 and 'name="definition"' not in change.content.decode()
    response = client.post(
        reverse("admin:criteria_criteriasetversion_changelist"),
        {"action": "new_version", "_selected_action": [version.pk]},
    )
    assert response.status_code == 302
    copy = CriteriaSetVersion.objects.get(code="nvv-example", level="village", version=2)
    assert copy.based_on == version and copy.history.latest().history_user == users.province_admin
    change = client.get(reverse("admin:criteria_criteriasetversion_change", args=[copy.pk]))
    assert 'name="definition"' in change.content.decode()
