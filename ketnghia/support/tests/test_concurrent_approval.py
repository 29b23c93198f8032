"""Two district officers approve two cycles of one fund at the same moment, on two database
connections: the fund's row lock lets one through and refuses the other (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.core.errors import InvalidInput
from ketnghia.support import rules, selectors, services
from ketnghia.support.models import Cycle, CycleState
from ketnghia.support.tests.conftest import make_setting, open_cycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite has none")


def test_two_approvals_at_once_cannot_overspend(tree, users, monkeypatch):
    setting = make_setting(tree, users, allocated=10_000_000)
    second_officer = user_create(
        username="district615b",
        password="Kh0ng-d0an-duoc",
        role=Role.DISTRICT_OFFICER,
        jurisdiction=tree.dak_ha,
    )
    cycles = []
    for name in ("Đợt 1", "Đợt 2"):
        cycle = open_cycle(setting, tree, users, name=name)
        services.cycle_propose(cycle=cycle, actor=users.commune_officer)
        cycles.append(services.cycle_submit(cycle=cycle, actor=users.commune_officer))
    # Each needs 6.000.000 of the 10.000.000: one fits, two do not.

    # Widen the window between reading the fund and writing the approval, so that without
    # the lock both threads would read the same free money.
    checked = rules.overspends

    def slow(figures, request):
        answer = checked(figures, request)
        time.sleep(0.5)
        return answer

    monkeypatch.setattr(rules, "overspends", slow)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(cycle: Cycle, officer) -> None:
        try:
            translation.activate("en")  # a thread starts in the default language
            start.wait()
            services.cycle_approve(cycle=cycle, actor=officer, on=date(2016, 4, 2))
            outcomes[cycle.name] = "approved"
        except InvalidInput as error:
            outcomes[cycle.name] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(cycles[0], users.district_officer)),
        threading.Thread(target=approve, args=(cycles[1], second_officer)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()).count("approved") == 1, outcomes
    refused = next(text for text in outcomes.values() if text != "approved")
    assert "cannot pay this cycle" in refused
    states = sorted(Cycle.objects.values_list("state", flat=True))
    assert states == [CycleState.APPROVED, CycleState.SUBMITTED]
    figures = selectors.fund_figures(fund_ids=[setting.fund.pk])[setting.fund.pk]
    assert figures.committed == 6_000_000 and figures.balance == 4_000_000
