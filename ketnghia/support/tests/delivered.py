"""Two delivered cycles in Ngọk Wang in 2016 (for the figures, the review and the dashboards)."""

from __future__ import annotations

from datetime import date

from ketnghia.households.models import Household
from ketnghia.support import services
from ketnghia.support.tests.conftest import open_cycle


def delivered_world(setting, tree, users):
    """Two cycles in Ngọk Wang in 2016: the province's livestock (A and D by the rule, B by
    hand, D given less) and the district's own fund (A), both delivered."""
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.delivery_add(
        cycle=cycle,
        household=Household.objects.get(commune=tree.ngok_wang, code="B"),
        override_reason="Hộ mới tái nghèo sau lũ",
        actor=users.commune_officer,
    )
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    short = cycle.deliveries.get(household__code="D")
    services.cycle_deliver(
        cycle=cycle,
        delivered_on=date(2016, 4, 10),
        quantities={short.pk: "1"},
        actor=users.commune_officer,
    )
    fund = services.fund_create(
        document=setting.document, year=2016, source="district", unit=tree.dak_ha, actor=None
    )
    services.fund_allocate(fund=fund, amount=50_000_000, entered_on=date(2016, 3, 1), actor=None)
    second = open_cycle(setting, tree, users, fund=fund, name="Bò giống huyện 2016")
    services.cycle_propose(cycle=second, actor=users.commune_officer)
    services.delivery_remove(
        delivery=second.deliveries.get(household__code="D"), actor=users.commune_officer
    )
    services.cycle_submit(cycle=second, actor=users.commune_officer)
    services.cycle_approve(cycle=second, actor=users.district_officer, on=date(2016, 4, 2))
    services.cycle_deliver(cycle=second, delivered_on=date(2016, 6, 1), actor=users.commune_officer)
    return cycle, second
