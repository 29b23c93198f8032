"""The stored criteria results are refreshed through `core.derived`, by what they read."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from ketnghia.census.services import OFFICIAL_FIGURE
from ketnghia.core import derived
from ketnghia.criteria import services
from ketnghia.criteria.models import Assessment
from ketnghia.criteria.sets import criteria_set_from_dict
from ketnghia.geo.services import REGIONS
from ketnghia.programs.services import COMMUNES
from ketnghia.twinning import services as twinning_services
from ketnghia.twinning.models import ActivityKind
from ketnghia.twinning.tests.network import covered_network


def test_the_criteria_refresher_reads_every_source_its_facts_come_from():
    (refresher,) = [r for r in derived.refreshers() if r.name == services.ASSESSMENTS]
    twinning = {
        twinning_services.ASSIGNMENTS,
        twinning_services.ACTIVITIES,
        twinning_services.NETWORK,
    }
    assert set(services.TWINNING_SOURCES) == twinning
    assert refresher.reads == {OFFICIAL_FIGURE, COMMUNES, REGIONS, *twinning}
    assert refresher.writes == services.ASSESSMENTS


def test_criteria_refresh_before_the_indicators_that_read_them():
    names = [r.name for r in derived.refreshers()]
    assert names.index(services.ASSESSMENTS) < names.index("indicators.aggregates")


NETWORK_SET = """
code = "network-refresh"
version = 1
level = "village"
first_year = 2007
last_year = 2030
name = { vi = "Bộ thử mạng lưới", en = "Network test set" }
legal_basis = { vi = "Thử nghiệm", en = "Test" }

[basically_meets]
min_share_percent = 100

[[groups]]
code = "network"
vi = "Mạng lưới"
en = "Network"

[[criteria]]
code = "twinned"
group = "network"
vi = "Xã có đơn vị kết nghĩa, thôn có hoạt động"
en = "The commune is twinned, the village had an activity"
formula = "has_twinning_unit == 1 and twinning_activities >= 1"
mandatory = true
missing = "never_skip"
"""


@pytest.mark.django_db
def test_a_twinning_and_an_activity_refresh_the_stored_results(tree, users):
    _program, net = covered_network(tree, users)
    services.criteria_sets_sync(
        sets={"n": criteria_set_from_dict(tomllib.loads(NETWORK_SET), source="n.toml")}
    )
    services.assessments_refresh(units=[tree.dak_mar], year=2015)

    def outcome() -> str:
        row = Assessment.objects.get(
            unit=tree.village_b, year=2015, set_version__code="network-refresh"
        )
        return row.outcome

    assert outcome() == "not_met"
    twinning_services.twinning_create(
        organisation=net.agency, commune=tree.dak_mar, start_date=date(2015, 1, 1), actor=None
    )
    assert outcome() == "not_met"  # twinned, no activity yet
    assert services.assessments_check() == []
    team = twinning_services.work_team_create(
        organisation=net.agency,
        commune=tree.dak_mar,
        name="Tổ công tác",
        start_date=date(2015, 1, 1),
        actor=None,
    )
    twinning_services.activity_record(
        team=team,
        date=date(2015, 9, 1),
        kind=ActivityKind.VISIT,
        village=tree.village_b,
        actor=None,
    )
    assert outcome() == "meets"
    assert services.assessments_check() == []
