"""Support's writes: every "bad input" of issue 18 refused with nothing written, and the money
kept true (fund totals equal their deliveries and their ledgers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.households.models import Household
from ketnghia.support import rules, selectors, services
from ketnghia.support.models import (
    Cycle,
    CycleState,
    Delivery,
    EntryKind,
    Fund,
    FundEntry,
    Package,
)
from ketnghia.support.tests.conftest import make_setting, open_cycle

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Fund.objects.count(),
        FundEntry.objects.count(),
        Package.objects.count(),
        Cycle.objects.count(),
        Delivery.objects.count(),
        Delivery.history.count(),
        Cycle.history.count(),
    )


def _refused(call, *args, **kwargs) -> str:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert _counts() == before, "a refusal wrote something"
    return " ".join(str(p.message) for p in caught.value.problems)


def _household(tree, code: str) -> Household:
    return Household.objects.get(commune=tree.ngok_wang, code=code)


def _submitted(setting, tree, users, **kwargs) -> Cycle:
    cycle = open_cycle(setting, tree, users, **kwargs)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    return services.cycle_submit(cycle=cycle, actor=users.commune_officer)


# --- the proposal and the snapshot ---------------------------------------------------------


def test_the_rule_proposes_the_poor_households_of_the_key_commune_with_a_snapshot(
    setting, tree, users
):
    cycle = open_cycle(setting, tree, users)
    assert services.cycle_propose(cycle=cycle, actor=users.commune_officer) == 2
    rows = {d.household.code: d for d in cycle.deliveries.select_related("household")}
    assert set(rows) == {"A", "D"}  # 2015: A and D poor, B out of poverty, C left
    # One cow per member (4), capped at 3: the cap is a maximum.
    assert rows["A"].entitled_quantity == Decimal("3.00")
    assert rows["A"].entitled_value == 3_000_000
    assert rows["A"].snapshot["census_year"] == 2015
    assert rows["A"].snapshot["status"] == "poor"
    assert rows["A"].unit_path == tree.village_a.path
    # Proposing again gives the same list, not a second one.
    assert services.cycle_propose(cycle=cycle, actor=users.commune_officer) == 2
    assert cycle.deliveries.count() == 2


def test_the_census_is_read_as_of_the_cycles_day(setting, tree, users):
    cycle = open_cycle(
        setting, tree, users, census_as_of=date(2014, 12, 31), decision_date=date(2016, 4, 1)
    )
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    codes = set(cycle.deliveries.values_list("household__code", flat=True))
    assert codes == {"A", "B"}  # the 2014 round: A and B poor


def test_the_cap_is_a_true_maximum():
    three = Decimal(3)
    assert rules.entitlement(quantity=Decimal(1), multiplier_value=2, cap=three) == 2
    assert rules.entitlement(quantity=Decimal(1), multiplier_value=7, cap=three) == 3
    assert rules.entitlement(quantity=Decimal("0.5"), multiplier_value=None, cap=None) == Decimal(
        "0.5"
    )


# --- bad input -------------------------------------------------------------------------------


def test_a_recipient_outside_the_target_needs_a_reason_kept_in_history(setting, tree, users):
    cycle = open_cycle(setting, tree, users)
    message = _refused(
        services.delivery_add,
        cycle=cycle,
        household=_household(tree, "B"),
        actor=users.commune_officer,
    )
    assert "outside the package's target" in message and "needs a reason" in message
    added = services.delivery_add(
        cycle=cycle,
        household=_household(tree, "B"),
        override_reason="Nhà bị cháy tháng 2/2016",
        actor=users.commune_officer,
    )
    assert not added.in_rule and added.override_reason == "Nhà bị cháy tháng 2/2016"
    record = added.history.get()
    assert record.history_change_reason == "Nhà bị cháy tháng 2/2016"
    assert record.history_user == users.commune_officer
    # A new proposal keeps the recipient added by hand.
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    assert set(cycle.deliveries.values_list("household__code", flat=True)) == {"A", "B", "D"}


def test_a_quantity_above_the_cap_is_refused(setting, tree, users):
    cycle = open_cycle(setting, tree, users)
    message = _refused(
        services.delivery_add,
        cycle=cycle,
        household=_household(tree, "A"),
        quantity="4",
        actor=users.commune_officer,
    )
    assert "above the package's cap of 3" in message


@pytest.mark.parametrize("typed", ["-1", "ba", "1,2,3", "nan", "Infinity"])
def test_a_negative_or_non_numeric_quantity_is_refused(setting, tree, users, typed):
    cycle = open_cycle(setting, tree, users)
    message = _refused(
        services.delivery_add,
        cycle=cycle,
        household=_household(tree, "A"),
        quantity=typed,
        actor=users.commune_officer,
    )
    assert "must be a number" in message


@pytest.mark.parametrize("amount", [-5, 0, None, "1000", 2.5])
def test_a_negative_or_non_numeric_allocation_is_refused(setting, amount, users):
    message = _refused(
        services.fund_allocate,
        fund=setting.fund,
        amount=amount,
        entered_on=date(2016, 3, 2),
        actor=users.province_admin,
    )
    assert "đồng" in message


@pytest.mark.parametrize(
    ("field", "typed"),
    [("quantity", "-2"), ("quantity", "hai"), ("unit_value", "-1"), ("unit_value", "10k")],
)
def test_a_package_with_a_bad_number_is_refused(setting, users, field, typed):
    values = {
        "document": setting.document,
        "name": "Phân bón",
        "kind": "fertiliser",
        "form": "in_kind",
        "unit": "kg",
        "unit_value": 12_000,
        "quantity": "50",
        "recipient_level": "household",
        "target_rule": "poor == 1",
        "actor": users.province_admin,
    }
    values[field] = typed
    message = _refused(services.package_create, **values)
    assert field.replace("_", " ") in message or "value per unit" in message


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("poor ==", "does not parse"),
        ("__import__('os')", "does not parse"),
        ("rich == 1", "unknown facts"),
        ("members + 1", "must be a condition"),
    ],
)
def test_a_target_rule_is_parsed_never_evaluated_as_python(setting, users, rule, says):
    message = _refused(
        services.package_create,
        document=setting.document,
        name="Giống lúa",
        kind="seedlings",
        form="in_kind",
        unit="kg",
        unit_value=20_000,
        quantity="10",
        recipient_level="household",
        target_rule=rule,
        actor=users.province_admin,
    )
    assert says in message


def test_an_unknown_fund_source_is_refused(setting, tree, users):
    message = _refused(
        services.fund_create,
        document=setting.document,
        year=2016,
        source="bank_loan",
        unit=tree.province,
        actor=users.province_admin,
    )
    assert "Unknown fund source “bank_loan”" in message and "Central budget" in message


def test_a_gift_names_its_giver(setting, tree, users):
    message = _refused(
        services.fund_create,
        document=setting.document,
        year=2016,
        source="enterprise",
        unit=tree.ngok_wang,
        actor=users.province_admin,
    )
    assert "twinning unit or enterprise" in message


def test_an_adjustment_needs_a_reason_and_cannot_go_below_what_is_spent(setting, users):
    message = _refused(
        services.fund_adjust,
        fund=setting.fund,
        amount=-1_000_000,
        reason=" ",
        entered_on=date(2016, 5, 1),
        actor=users.province_admin,
    )
    assert "reason" in message
    _refused(
        services.fund_adjust,
        fund=setting.fund,
        amount=-10_000_001,
        reason="Thu hồi",
        entered_on=date(2016, 5, 1),
        actor=users.province_admin,
    )
    entry = services.fund_adjust(
        fund=setting.fund,
        amount=-1_000_000,
        reason="Điều chuyển sang xã khác",
        entered_on=date(2016, 5, 1),
        actor=users.province_admin,
    )
    assert entry.kind == EntryKind.ADJUSTMENT
    with pytest.raises(ValueError):  # the ledger is append-only
        entry.save()


def test_a_delivery_dated_before_its_decision_is_refused(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    message = _refused(
        services.cycle_deliver,
        cycle=cycle,
        delivered_on=date(2016, 3, 31),
        actor=users.commune_officer,
    )
    assert "before its decision of 01/04/2016" in message


def test_nothing_is_approved_before_its_decision(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    message = _refused(
        services.cycle_approve, cycle=cycle, actor=users.district_officer, on=date(2016, 3, 31)
    )
    assert "before its decision" in message


def test_an_approval_that_would_overspend_is_refused(tree, users):
    setting = make_setting(tree, users, allocated=5_000_000)
    cycle = _submitted(setting, tree, users)  # needs 6.000.000
    message = _refused(
        services.cycle_approve, cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2)
    )
    assert "cannot pay this cycle" in message
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.SUBMITTED


def test_money_already_delivered_is_not_free_again(setting, tree, users):
    """OpenG2P counted only approved entitlements: delivered money came back as free."""
    first = _submitted(setting, tree, users)
    services.cycle_approve(cycle=first, actor=users.district_officer, on=date(2016, 4, 2))
    services.cycle_deliver(cycle=first, delivered_on=date(2016, 4, 10), actor=users.commune_officer)
    second = _submitted(setting, tree, users, name="Đợt 2")
    message = _refused(
        services.cycle_approve, cycle=second, actor=users.district_officer, on=date(2016, 4, 11)
    )
    assert "the fund has 4.000.000 đ left" in message.replace("VND", "đ") or "4,000,000" in message


def test_the_same_household_twice_in_a_cycle_is_refused_by_the_service_and_the_database(
    setting, tree, users
):
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    message = _refused(
        services.delivery_add,
        cycle=cycle,
        household=_household(tree, "A"),
        actor=users.commune_officer,
    )
    assert "already a recipient" in message
    first = cycle.deliveries.get(household__code="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            cycle=cycle,
            household=first.household,
            unit=first.unit,
            recipient_name=first.recipient_name,
            entitled_quantity=1,
            entitled_value=1,
        )


def test_an_approver_who_prepared_the_cycle_is_refused(setting, tree, users):
    cycle = open_cycle(setting, tree, users, actor=users.district_officer)
    services.cycle_propose(cycle=cycle, actor=users.district_officer)
    services.cycle_submit(cycle=cycle, actor=users.district_officer)
    message = _refused(
        services.cycle_approve, cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2)
    )
    assert "You prepared this cycle" in message
    approved = services.cycle_approve(cycle=cycle, actor=users.province_admin, on=date(2016, 4, 2))
    assert approved.state == CycleState.APPROVED and approved.approved_by == users.province_admin


def test_a_commune_officer_cannot_approve_and_another_district_cannot_reach(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    assert "district" in _refused(
        services.cycle_approve, cycle=cycle, actor=users.commune_officer, on=date(2016, 4, 2)
    )
    with pytest.raises(NotFound):
        services.cycle_approve(cycle=cycle, actor=users.province_viewer, on=date(2016, 4, 2))


def test_a_rejected_cycle_goes_back_to_its_preparer_with_the_reason(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    assert "reason" in _refused(
        services.cycle_reject, cycle=cycle, reason="", actor=users.district_officer
    )
    services.cycle_reject(cycle=cycle, reason="Thiếu hộ C", actor=users.district_officer)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.REJECTED and cycle.state_reason == "Thiếu hộ C"
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.SUBMITTED


def test_delivered_quantities_above_the_cap_or_not_numbers_are_refused(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    ids = dict(cycle.deliveries.values_list("household__code", "pk"))
    message = _refused(
        services.cycle_deliver,
        cycle=cycle,
        delivered_on=date(2016, 4, 10),
        quantities={ids["A"]: "5", ids["D"]: "mười"},
        actor=users.commune_officer,
    )
    assert "above the package's cap" in message and "must be a number" in message


def test_a_difference_must_be_explained_before_reconciling(setting, tree, users):
    cycle = _submitted(setting, tree, users)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    ids = dict(cycle.deliveries.values_list("household__code", "pk"))
    services.cycle_deliver(
        cycle=cycle,
        delivered_on=date(2016, 4, 10),
        quantities={ids["A"]: "2"},
        actor=users.commune_officer,
    )
    recorded = Delivery.history.filter(history_type="~", history_change_reason="delivered")
    assert sorted(recorded.values_list("delivered_quantity", flat=True)) == [2, 3]
    assert "Explain why" in _refused(
        services.cycle_reconcile, cycle=cycle, actor=users.commune_officer
    )
    services.cycle_reconcile(
        cycle=cycle, notes={ids["A"]: "Một con bò chết trước khi giao"}, actor=users.commune_officer
    )
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.RECONCILED


# --- money kept true ------------------------------------------------------------------------


def test_fund_totals_equal_the_sum_of_their_deliveries_and_the_ledger(setting, tree, users):
    services.fund_allocate(
        fund=setting.fund, amount=4_000_000, entered_on=date(2016, 6, 1), actor=None
    )
    services.fund_adjust(
        fund=setting.fund,
        amount=-500_000,
        reason="Điều chỉnh",
        entered_on=date(2016, 6, 2),
        actor=None,
    )
    delivered = _submitted(setting, tree, users)
    services.cycle_approve(cycle=delivered, actor=users.district_officer, on=date(2016, 4, 2))
    a = delivered.deliveries.get(household__code="A").pk
    services.cycle_deliver(
        cycle=delivered, delivered_on=date(2016, 4, 9), quantities={a: "1.5"}, actor=None
    )
    committed = _submitted(setting, tree, users, name="Đợt 2")
    services.cycle_approve(cycle=committed, actor=users.district_officer, on=date(2016, 5, 2))
    _submitted(setting, tree, users, name="Đợt 3 (chưa duyệt)")

    figures = selectors.fund_figures(fund_ids=[setting.fund.pk])[setting.fund.pk]
    ledger = sum(FundEntry.objects.filter(fund=setting.fund).values_list("amount", flat=True))
    spent = sum(Delivery.objects.filter(cycle=delivered).values_list("delivered_value", flat=True))
    owed = sum(Delivery.objects.filter(cycle=committed).values_list("entitled_value", flat=True))
    assert figures.allocated == ledger == 13_500_000
    assert figures.delivered == spent == 4_500_000  # 1,5 + 3 cows
    assert figures.committed == owed == 6_000_000
    assert figures.balance == ledger - spent - owed == 3_000_000
    report = selectors.fund_report([setting.fund])
    assert report.by_source["province"] == figures == report.total


def test_supported_households_gives_the_first_year_a_delivery_reached_each_household(
    setting, tree, users
):
    first = _submitted(setting, tree, users)
    services.cycle_approve(cycle=first, actor=users.district_officer, on=date(2016, 4, 2))
    d = first.deliveries.get(household__code="D").pk
    services.cycle_deliver(
        cycle=first, delivered_on=date(2016, 4, 9), quantities={d: "0"}, actor=None
    )
    services.fund_allocate(
        fund=setting.fund, amount=10_000_000, entered_on=date(2017, 1, 2), actor=None
    )
    later = _submitted(setting, tree, users, name="Đợt 2", decision_date=date(2017, 3, 1))
    services.cycle_approve(cycle=later, actor=users.district_officer, on=date(2017, 3, 2))
    services.cycle_deliver(cycle=later, delivered_on=date(2017, 3, 9), actor=None)
    _submitted(setting, tree, users, name="Đợt 3 (chưa giao)")  # never reaches anyone
    a, d = _household(tree, "A").pk, _household(tree, "D").pk
    # A: 2016 and 2017 → 2016; D got nothing in 2016 (0 delivered), then 2017.
    assert selectors.supported_households(setting.program) == [
        (a, "livestock", 2016),
        (d, "livestock", 2017),
    ]
    assert selectors.supported_households(setting.program, kinds=["latrine"]) == []


def test_the_demo_writer_delivers_on_the_census_and_loads_once(setting, tree, users):
    from ketnghia.support.demo import write_support

    report = write_support(program_code="nq04", seed=7)
    cycles = Cycle.objects.filter(synthetic=True)
    assert report.cycles == cycles.count() > 0
    delivered = cycles.filter(state=CycleState.RECONCILED)
    # 2015's seedlings (poor or near-poor) read the 2014 census of Ngọk Wang: A and B poor,
    # C near-poor (450.000 đ under the 2011 standard); earlier years have no census.
    assert delivered.count() >= 1
    assert set(
        Delivery.objects.filter(cycle__in=delivered).values_list("household__code", flat=True)
    ) == {"A", "B", "C"}
    assert Delivery.objects.filter(synthetic=False, cycle__synthetic=True).count() == 0
    for fund in Fund.objects.filter(document__synthetic=True):
        figures = selectors.fund_figures(fund_ids=[fund.pk])[fund.pk]
        assert figures.balance >= 0
    assert write_support(program_code="nq04", seed=7).cycles == 0


def test_the_proposals_columns_agree_with_the_candidates_one_by_one(setting, tree, users):
    """The proposal reads households as columns (`household_table`); each row is the
    candidate the scalar path gives: same facts, same snapshot, same choice."""
    import json

    from ketnghia.support import targeting

    for on in (date(2014, 12, 31), date(2015, 12, 31), date(2016, 12, 31)):
        args = {"commune_ids": [tree.ngok_wang.pk], "on": on, "program": setting.program}
        candidates = targeting.household_candidates(**args)
        table = targeting.household_table(**args)
        assert table.household_ids == [c.household_id for c in candidates]
        assert table.unit_ids == [c.unit_id for c in candidates]
        for index, candidate in enumerate(candidates):
            assert json.loads(table.snapshot_json(index)) == candidate.snapshot()
        for rule in ("poor == 1 and key_commune == 1", "members >= 4 or near_poor == 1"):
            tree_ = targeting.rule_tree(rule, level="household")
            expected = [i for i, ok in enumerate(targeting.chosen(tree_, candidates)) if ok]
            assert targeting.chosen_rows(tree_, table).tolist() == expected
