"""The demo's planted support: the outcome analysis and page find the effect the census holds."""

from __future__ import annotations

import re

from ketnghia.accounts.models import User
from ketnghia.economy.panel import program_outcomes
from ketnghia.programs.models import Program
from ketnghia.support.demo import PLANTED_EFFECT, PLANTED_KIND


def test_the_outcome_of_the_planted_kind_covers_the_planted_effect(demo):
    program = Program.objects.get(code="nq04")
    (livestock,) = program_outcomes(program, kinds=[PLANTED_KIND])
    assert livestock.att is not None
    assert livestock.att.covers(PLANTED_EFFECT), livestock.att
    assert not livestock.att.covers(0.0)
    estimated = [c for c in livestock.cohorts if c.att is not None]
    assert [c.start_year for c in estimated][:3] == [2008, 2010, 2012]
    for cohort in estimated:
        assert cohort.balance and all(row.smd_after is not None for row in cohort.balance[:3])
        assert cohort.post_periods
    # The pre-periods, the check of parallel trends: there, and about zero on the whole.
    pre = [p.estimate.value for c in estimated for p in c.pre_periods]
    assert len(pre) >= 5
    assert abs(sum(pre) / len(pre)) < 0.08
    before = [p for p in livestock.event_study if p.event_time < -1]
    assert before and all(p.estimate.ci_low < PLANTED_EFFECT for p in before)


def test_the_outcome_page_shows_the_planted_effect(demo, client):
    client.force_login(User.objects.get(username="demo-admin"))
    response = client.get("/outcomes/?program=nq04")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index(f'data-testid="outcome-{PLANTED_KIND}"') :]
    section = section[: section.index("</section>")]
    assert 'data-testid="balance-table"' in section
    assert 'data-testid="event-study-table"' in section
    effect = re.search(r'data-testid="overall-effect">([^<]*)<', section)
    assert effect is not None
    found = re.findall(r"[+\-−]?\d+,\d", effect[1])
    value, low, high = (float(n.replace(",", ".").replace("−", "-")) for n in found[:3])
    assert low <= 100 * PLANTED_EFFECT <= high and low <= value <= high
    assert 'data-testid="comparison-village"' in html


def test_the_review_report_has_the_economy_section(demo, client):
    client.force_login(User.objects.get(username="demo-admin"))
    response = client.get("/reports/review/?program=nq04&baseline=2007&year=2015")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('data-testid="contributed-economy"') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") >= 1 + 4 + 1  # header, livestock's four start years, all years
    data = client.get("/reports/review/report.json?program=nq04&baseline=2007&year=2015").json()
    (economy,) = [s for s in data["contributed_sections"] if s["key"] == "economy"]
    assert economy["data"]["economic_models"] > 0
    assert economy["data"]["replicated_villages"] > 0
    rows = economy["tables"][0]["rows"]
    assert {row[0] for row in rows} >= {"Cây giống", "Bò giống, gia súc giống"}
    overall = next(
        row
        for row in rows
        if row[1] == "các năm" and row[4] is not None and row[5] <= 100 * PLANTED_EFFECT <= row[6]
    )
    assert overall[5] > 0
