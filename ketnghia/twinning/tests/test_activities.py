"""Work teams and their activity log: recorded, then confirmed by the commune; bad dates refused."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.core.errors import InvalidInput
from ketnghia.twinning import services
from ketnghia.twinning.models import Activity, ActivityKind, ActivityStatus, PersonRole
from ketnghia.twinning.tests.network import network

pytestmark = pytest.mark.django_db


def _team(tree):
    net = network(tree)
    cadre = services.person_create(
        full_name="Trần Văn Bình",
        sex="male",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=net.agency,
        actor=None,
    )
    team = services.work_team_create(
        name="Tổ công tác Sở Y tế tại Ngọk Wang",
        organisation=net.agency,
        commune=tree.ngok_wang,
        start_date=date(2018, 1, 1),
        end_date=date(2020, 12, 31),
        members=[cadre],
        actor=None,
    )
    return team, cadre


def test_an_activity_is_recorded_then_confirmed_by_the_commune(tree, users):
    team, cadre = _team(tree)
    activity = services.activity_record(
        team=team,
        date=date(2018, 5, 3),
        kind=ActivityKind.SUPPORT_HANDOVER,
        village=tree.village_a,
        participants=[cadre],
        reached_male=20,
        reached_female=25,
        reached_minority=40,
        resources_vnd=150_000_000,
        resources_in_kind="1 nhà văn hóa",
        actor=users.province_admin,
    )
    assert activity.status == ActivityStatus.RECORDED
    assert activity.unit_path == tree.village_a.path
    assert list(activity.participants.all()) == [cadre]
    confirmed = services.activity_confirm(activity=activity, actor=users.commune_officer)
    assert confirmed.status == ActivityStatus.CONFIRMED
    assert confirmed.confirmed_by == users.commune_officer
    assert confirmed.history.first().history_user == users.commune_officer


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"date": date(2030, 1, 1)}, "cannot be dated in the future"),
        ({"date": date(2017, 12, 31)}, "outside the work team's period"),
        ({"date": date(2021, 1, 1)}, "outside the work team's period"),
        ({"kind": "party"}, "unknown kind of activity"),
        ({"reached_minority": 99}, "more ethnic-minority people reached"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_written(tree, change, expected):
    team, _ = _team(tree)
    kwargs = {
        "team": team,
        "date": date(2019, 4, 1),
        "kind": ActivityKind.VISIT,
        "reached_male": 3,
        "reached_female": 4,
        "actor": None,
        "today": date(2026, 1, 1),
    } | change
    with pytest.raises(InvalidInput) as refused:
        services.activity_record(**kwargs)
    message = " | ".join(str(p) for p in refused.value.problems)
    assert expected in message and "Tổ công tác Sở Y tế" in message
    assert Activity.objects.count() == 0


def test_participants_must_be_team_members_and_the_village_in_the_commune(tree):
    team, _ = _team(tree)
    outsider = services.person_create(
        full_name="Người ngoài",
        sex="female",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=team.organisation,
        actor=None,
    )
    with pytest.raises(InvalidInput) as refused:
        services.activity_record(
            team=team,
            date=date(2019, 4, 1),
            kind=ActivityKind.VISIT,
            village=tree.village_b,
            participants=[outsider],
            actor=None,
        )
    message = " | ".join(str(p) for p in refused.value.problems)
    assert "not a member of the team" in message
    assert "not in the team's commune" in message
