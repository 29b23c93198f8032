"""A province administrator cannot leave their province through the admin.

Two provinces are loaded (Kon Tum, the `tree` fixture, and a hand-made Gia Lai with a row of
every scoped admin model). Kon Tum's administrator walks every registered admin model and
every admin URL of each Gia Lai row — changelist, add, change, history, history detail
(revert), delete, password, view on site — and nothing of Gia Lai can be read, created,
changed, reverted or deleted. Every choice of a linked record (foreign key, many-to-many, list
filter) is Kon Tum's, and a forged id of Gia Lai is refused beside the field, nothing written.
No page of Kon Tum's rows (changelists with their filters, change forms, history) names any
Gia Lai record. Forged fields are refused with a message, nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ManyToManyRawIdWidget
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.forms import CheckboxInput, MultiWidget, SelectMultiple
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from ketnghia.accounts.models import Role, User
from ketnghia.accounts.services import user_create, user_save
from ketnghia.census.tests.factories import household
from ketnghia.conftest import make_unit
from ketnghia.core import gate
from ketnghia.core.admin_site import (
    ScopedAllValuesFieldListFilter,
    ScopedModelAdmin,
    ScopedRelatedFieldListFilter,
    admin_site,
)
from ketnghia.core.errors import InvalidInput
from ketnghia.core.models import Attachment, PersonalDataDisclosure
from ketnghia.geo.models import Succession, Unit, UnitClassification, UnitKind, UnitLevel
from ketnghia.geo.services import unit_move
from ketnghia.households.models import Household
from ketnghia.indicators.models import Target
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning.models import NetworkRules, Organisation, OrganisationKind, Twinning

# Admin models not tied to any unit: shared reference data of every province.
SHARED = {"poverty.LocalStandard", "criteria.CriteriaSetVersion"}
PASSWORD = "Kh0ng-d0an-duoc"
# Names only Gia Lai's rows carry: none may appear on a page of Kon Tum's administrator.
GIA_LAI_NAMES = (
    "Gia Lai",
    "Ia Ly",
    "Ia Kreng",
    "Chư Păh",
    "nq-gl",
    "Nghị quyết GL",
    "bien-ban-gl.pdf",
    "Ksor Gia",
)


def _gia_lai_names(html: str) -> list[str]:
    return [name for name in GIA_LAI_NAMES if name in html]


def _log_and_attachment(user: User, found: Household, name: str = "bien-ban.pdf") -> Attachment:
    PersonalDataDisclosure.objects.create(
        user=user, household=found, unit_path=found.unit_path, output="test", channel="page"
    )
    return Attachment.objects.create(
        stored="attachments/x.pdf",
        original_name=name,
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        purpose="minutes",
        unit_path=found.unit_path,
        uploaded_by=user,
    )


def _criteria_rows(commune: Unit, village: Unit) -> None:
    from ketnghia.criteria.models import CommuneInfrastructure, ManualAssessment, VillageFacts

    VillageFacts.objects.create(village=village, year=2015, serious_crimes=0)
    CommuneInfrastructure.objects.create(commune=commune, year=2015, road_to_centre="all_season")
    ManualAssessment.objects.create(
        unit=village,
        year=2015,
        set_code="nvv-example",
        criterion_code="cultural_village",
        met=True,
        assessor_name="Y Hoa",
        assessed_on=date(2015, 12, 1),
        evidence="QĐ 12",
    )


def _network_rows(
    organisation: Organisation,
    commune: Unit,
    village: Unit,
    found: Household,
    photo: Attachment,
    name: str,
) -> None:
    from ketnghia.twinning.models import (
        Activity,
        Assignment,
        AssignmentKind,
        Person,
        PersonRole,
        WorkTeam,
    )

    member = Person.objects.create(
        full_name=name,
        sex="male",
        ethnicity="14",
        role=PersonRole.PARTY_MEMBER,
        commune=commune,
        village=village,
        active_from=date(2010, 1, 1),
        phone="0000123456",
    )
    Assignment.objects.create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=member,
        commune=commune,
        household=found,
        start_date=date(2010, 1, 1),
    )
    team = WorkTeam.objects.create(
        name=f"Tổ công tác {name}",
        organisation=organisation,
        commune=commune,
        start_date=date(2010, 1, 1),
    )
    team.members.add(member)
    activity = Activity.objects.create(
        team=team, date=date(2015, 3, 1), commune=commune, kind="visit"
    )
    activity.participants.add(member)
    activity.photos.add(photo)
    # A second version whose change is the phone: the history list shows "old → new".
    member.phone = "0000654321"
    member.save()


@pytest.fixture
def gia_lai(tree, users):
    """A second province with one row of every scoped admin model."""
    province = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    district = make_unit("622", "Huyện Chư Păh", UnitLevel.DISTRICT, UnitKind.HUYEN, province)
    commune = make_unit("23800", "Xã Ia Ly", UnitLevel.COMMUNE, UnitKind.XA, district)
    commune_b = make_unit("23801", "Xã Ia Kreng", UnitLevel.COMMUNE, UnitKind.XA, district)
    village = make_unit("23800-01", "Làng Ia Ly", UnitLevel.VILLAGE, UnitKind.LANG, commune)
    UnitClassification.objects.create(
        unit=commune, scheme="commune_region", value="III", start_year=2016, end_year=2020
    )
    Succession.objects.create(old_unit=commune_b, new_unit=commune, date=date(2020, 1, 1))
    organisation = Organisation.objects.create(
        name="Sở Y tế Gia Lai", kind=OrganisationKind.PROVINCIAL_AGENCY, province=province
    )
    Twinning.objects.create(organisation=organisation, commune=commune, start_date=date(2010, 1, 1))
    program = Program.objects.create(
        code="nq-gl", name="Nghị quyết GL", start_date=date(2010, 1, 1)
    )
    ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2010, 1, 1))
    Target.objects.create(program=program, indicator="poverty_rate", year=2015, target=30)
    NetworkRules.objects.create(program=program)
    officer = user_create(
        username="district622", password=PASSWORD, role=Role.DISTRICT_OFFICER, jurisdiction=district
    )
    user_create(
        username="twin64", password=PASSWORD, role=Role.TWINNING_MEMBER, organisation=organisation
    )
    found = household(commune, "G1", village)
    # And one row of each in Kon Tum, which its administrator does see.
    UnitClassification.objects.create(
        unit=tree.ngok_wang, scheme="commune_region", value="III", start_year=2016, end_year=2020
    )
    Succession.objects.create(old_unit=tree.dak_mar, new_unit=tree.ngok_wang, date=date(2020, 1, 1))
    program62 = Program.objects.create(
        code="nq-kt", name="Nghị quyết KT", start_date=date(2010, 1, 1)
    )
    ProgramCommune.objects.create(
        program=program62, commune=tree.ngok_wang, valid_from=date(2010, 1, 1)
    )
    Target.objects.create(program=program62, indicator="poverty_rate", year=2015, target=35)
    NetworkRules.objects.create(program=program62)
    photo62 = _log_and_attachment(users.commune_officer, household(tree.ngok_wang, "A"))
    photo64 = _log_and_attachment(officer, found, "bien-ban-gl.pdf")
    _criteria_rows(commune, village)
    _criteria_rows(tree.ngok_wang, tree.village_a)
    _network_rows(organisation, commune, village, found, photo64, "Ksor Gia")
    _network_rows(
        Organisation.objects.get(province=tree.province),
        tree.ngok_wang,
        tree.village_a,
        household(tree.ngok_wang, "B"),
        photo62,
        "A Thuận",
    )
    # Every row gets a second history version, so there is a version to revert to.
    for model in (
        Unit,
        Organisation,
        Twinning,
        Program,
        ProgramCommune,
        Target,
        NetworkRules,
        UnitClassification,
        Succession,
    ):
        for row in model.objects.all():
            row.save()
    officer.first_name = "Đổi"
    officer.save()
    return {"province": province, "district": district, "commune": commune}


def _admins() -> list[tuple[type, ScopedModelAdmin]]:
    return sorted(admin_site._registry.items(), key=lambda item: item[0]._meta.label)


def _outside(model_admin: ScopedModelAdmin, admin62: User) -> list[Any]:
    scope = gate.scope_for(admin62, gate.Action.ADMINISTER)
    rows = model_admin.model._default_manager.all()
    inside = set(model_admin.get_queryset(_request(admin62)).values_list("pk", flat=True))
    assert not scope.everything
    return [row for row in rows if row.pk not in inside]


def _outside_rows(model: type, admin62: User) -> set[Any]:
    """Return the ids of `model`'s rows outside Kon Tum: by its admin, else by unit path."""
    related = admin_site._registry.get(model)
    if related is not None:
        return {row.pk for row in _outside(related, admin62)}
    if any(field.name == "unit_path" for field in model._meta.concrete_fields):
        return set(
            model._default_manager.exclude(unit_path__startswith="/62/").values_list(
                "pk", flat=True
            )
        )
    return set()


def _request(user: User, data: dict | None = None):
    request = (
        RequestFactory().post("/", data or {}) if data is not None else RequestFactory().get("/")
    )
    request.user = user
    return request


def _url(model: type, name: str, *args: Any) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _snapshot(model: type) -> list[dict[str, Any]]:
    return [model_to_dict(row) for row in model._default_manager.order_by("pk")]


def _history_count(model: type) -> int:
    history = getattr(model, "history", None)
    return history.count() if history is not None else 0


def test_every_admin_model_is_scoped_or_declared_shared():
    for model, model_admin in _admins():
        assert isinstance(model_admin, ScopedModelAdmin)
        if (
            model_admin.unit_path_field is None
            and model_admin.scope_through is None
            and type(model_admin).get_queryset is ScopedModelAdmin.get_queryset
        ):
            assert model._meta.label in SHARED, model._meta.label


def test_nothing_of_another_province_can_be_read_changed_reverted_or_deleted(
    client, users, gia_lai
):
    admin62 = users.province_admin
    client.force_login(admin62)
    walked = []
    for model, model_admin in _admins():
        if model._meta.label in SHARED:
            continue
        others = _outside(model_admin, admin62)
        assert others, f"the fixture has no row of {model._meta.label} outside Kon Tum"
        before, history_before = _snapshot(model), _history_count(model)
        changelist = client.get(_url(model, "changelist"))
        assert changelist.status_code == 200
        listed = {row.pk for row in changelist.context["cl"].queryset}
        assert listed and not listed & {row.pk for row in others}, model
        search = client.get(_url(model, "changelist"), {"q": "Gia Lai"})
        assert not {row.pk for row in search.context["cl"].queryset} & {r.pk for r in others}
        for row in others:
            label = f"{model._meta.label} {row.pk}"
            change = client.get(_url(model, "change", row.pk))
            assert change.status_code in (302, 403, 404), label
            assert str(row) not in change.content.decode(), label
            assert client.post(_url(model, "change", row.pk), {}).status_code in (302, 403, 404)
            delete = _url(model, "delete", row.pk)
            assert client.get(delete).status_code in (302, 403, 404), label
            assert client.post(delete, {"post": "yes"}).status_code in (302, 403, 404), label
            bulk = client.post(
                _url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
            )
            assert bulk.status_code in (200, 302), label
            ct = ContentType.objects.get_for_model(model)
            on_site = f"/admin/r/{ct.pk}/{row.pk}/"
            assert client.get(on_site).status_code == 404, label
            if hasattr(model, "history"):
                assert client.get(_url(model, "history", row.pk)).status_code == 404, label
                for version in row.history.all():
                    url = _url(model, "simple_history", row.pk, version.history_id)
                    assert client.get(url).status_code == 404, label
                    assert client.post(url, {"name": "x"}).status_code == 404
            try:
                password = _url(model, "password_change", row.pk)
            except NoReverseMatch:
                pass
            else:
                assert client.get(password).status_code in (302, 403, 404), label
                forged = {"password1": "M0i-M0i-M0i-123", "password2": "M0i-M0i-M0i-123"}
                assert client.post(password, forged).status_code in (302, 403, 404), label
            walked.append(label)
        assert _snapshot(model) == before, model
        assert _history_count(model) == history_before, model
    assert len(walked) >= 10


def _form_data(model_admin: ScopedModelAdmin, request, row: Any, add: bool) -> dict[str, Any]:
    """Return the POST data of the admin form for `row`, as a browser would send it."""
    form_class = model_admin.get_form(request, None if add else row, change=not add)
    form = form_class(initial=model_to_dict(row)) if add else form_class(instance=row)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(widget, ManyToManyRawIdWidget | SelectMultiple):
            data[name] = _m2m_value(widget, value)
        elif value is not None:
            data[name] = str(value)
    return data


def _m2m_fields(model_admin: ScopedModelAdmin, request) -> list[Any]:
    form = model_admin.get_form(request, None, change=False)()
    return [field for field in model_admin.model._meta.many_to_many if field.name in form.fields]


def test_many_to_many_choices_are_the_provinces_and_forged_ids_are_refused(client, users, gia_lai):
    """Each many-to-many field of each admin, as the foreign keys: choices and forged POSTs."""
    admin62 = users.province_admin
    client.force_login(admin62)
    request = _request(admin62)
    walked = []
    for model, model_admin in _admins():
        for field in _m2m_fields(model_admin, request):
            related = admin_site._registry[field.related_model]
            others = _outside(related, admin62)
            assert others, f"the fixture has no {field.related_model} outside Kon Tum"
            # The choices offered: Kon Tum's only.
            form = model_admin.get_form(request, None, change=False)()
            choices = set(form.fields[field.name].queryset.values_list("pk", flat=True))
            assert choices and not choices & {row.pk for row in others}, field
            # A complete POST of a Kon Tum row naming Gia Lai's rows: refused beside the field.
            row = model_admin.get_queryset(request).first()
            page = client.get(_url(model, "change", row.pk)).content.decode()
            assert _gia_lai_names(page) == [], (field, _gia_lai_names(page))
            data = _form_data(model_admin, request, row, add=False)
            linked = set(getattr(row, field.name).values_list("pk", flat=True))
            before, history_before = _snapshot(model), _history_count(model)
            widget = form.fields[field.name].widget
            widget = getattr(widget, "widget", widget)
            data[field.name] = _m2m_value(widget, others)
            response = client.post(_url(model, "change", row.pk), data)
            assert response.status_code == 200, (field, response.get("Location"))
            assert response.context["adminform"].form.errors[field.name], field
            assert set(getattr(row, field.name).values_list("pk", flat=True)) == linked
            assert _snapshot(model) == before and _history_count(model) == history_before
            # The same form with Kon Tum's own rows saves.
            data[field.name] = _m2m_value(widget, sorted(choices))
            saved = client.post(_url(model, "change", row.pk), data)
            assert saved.status_code == 302, (field, saved.context["adminform"].form.errors)
            assert set(getattr(row, field.name).values_list("pk", flat=True)) == choices
            walked.append(f"{model._meta.label}.{field.name}")
    assert set(walked) >= {
        "twinning.Activity.participants",
        "twinning.Activity.photos",
        "twinning.WorkTeam.members",
    }


def test_every_choice_of_a_linked_record_is_the_provinces(users, gia_lai):
    """Each foreign key and many-to-many field of each add and change form, walked alike."""
    admin62 = users.province_admin
    request = _request(admin62)
    walked = set()
    for model, model_admin in _admins():
        row = model_admin.get_queryset(request).order_by("pk").first()
        for obj in (None, row):
            form = model_admin.get_form(request, obj, change=obj is not None)(instance=obj)
            for name, field in form.fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is None:
                    continue
                others = _outside_rows(queryset.model, admin62)
                if not others:
                    continue  # shared reference data (standards, criteria sets)
                offered = set(queryset.values_list("pk", flat=True))
                assert not offered & others, (model, name)
                walked.add(f"{model._meta.label}.{name}")
    assert {
        "twinning.Activity.participants",
        "twinning.Activity.photos",
        "twinning.WorkTeam.members",
        "twinning.Activity.team",
        "twinning.Assignment.household",
        "twinning.NetworkRules.program",
        "indicators.Target.program",
    } <= walked


def test_a_filter_across_a_link_reads_the_values_of_the_provinces_rows(users, gia_lai):
    """`ScopedAllValuesFieldListFilter`: "by program code" lists Kon Tum's codes only."""
    admin62 = users.province_admin
    model_admin = type(admin_site._registry[Target])(Target, admin_site)
    model_admin.list_filter = ["program__code", "program", "indicator"]
    request = _request(admin62)
    chosen = dict(model_admin.get_list_filter(request)[:2])
    assert chosen == {
        "program__code": ScopedAllValuesFieldListFilter,
        "program": ScopedRelatedFieldListFilter,
    }
    choices = {}
    for path, filter_class in chosen.items():
        field = get_fields_from_path(Target, path)[-1]
        choices[path] = list(
            filter_class(field, request, {}, Target, model_admin, path).lookup_choices
        )
    assert choices["program__code"] == ["nq-kt"]
    assert [name for _pk, name in choices["program"]] == ["Nghị quyết KT"]


def test_a_row_linked_in_the_service_is_still_refused_by_the_form(users, gia_lai, tree):
    """The many-to-many check does not hang on the choices alone (`link_problems`)."""
    from ketnghia.twinning.models import Activity, Person

    admin62 = users.province_admin
    model_admin = admin_site._registry[Activity]
    row = model_admin.get_queryset(_request(admin62)).first()
    outsider = Person.objects.get(full_name="Ksor Gia")
    problems = model_admin.link_problems(_request(admin62), row, {"participants": [outsider]})
    assert [problem.location.field for problem in problems] == ["participants"]
    assert model_admin.link_problems(_request(admin62), row, {"participants": []}) == []


def test_no_page_of_the_province_names_another_provinces_records(client, users, gia_lai):
    """Changelists (with every "by …" filter), change forms and history pages of Kon Tum's rows."""
    admin62 = users.province_admin
    client.force_login(admin62)
    request = _request(admin62)
    histories = 0
    for model, model_admin in _admins():
        changelist = client.get(_url(model, "changelist"))
        assert changelist.status_code == 200, model
        html = changelist.content.decode()
        assert _gia_lai_names(html) == [], (model, _gia_lai_names(html))
        if model_admin.has_add_permission(request):
            add = client.get(_url(model, "add")).content.decode()
            assert _gia_lai_names(add) == [], (model, "add", _gia_lai_names(add))
        row = model_admin.get_queryset(request).order_by("pk").first()
        if row is None or not hasattr(model, "history"):
            continue
        pages = [_url(model, "change", row.pk), _url(model, "history", row.pk)]
        pages += [
            _url(model, "simple_history", row.pk, version.history_id)
            for version in row.history.all()[:2]
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert _gia_lai_names(response.content.decode()) == [], url
        histories += 1
    assert histories >= 12


def test_a_program_filter_offers_only_the_provinces_programs(client, users, gia_lai):
    client.force_login(users.province_admin)
    for model in (ProgramCommune, Target):
        html = client.get(_url(model, "changelist")).content.decode()
        assert "Nghị quyết KT" in html
        assert "Nghị quyết GL" not in html, model


def test_the_network_rules_of_another_provinces_program_are_out_of_reach(client, users, gia_lai):
    client.force_login(users.province_admin)
    rules64 = NetworkRules.objects.get(program__code="nq-gl")
    rules62 = NetworkRules.objects.get(program__code="nq-kt")
    listed = client.get(_url(NetworkRules, "changelist")).context["cl"].queryset
    assert list(listed) == [rules62]
    assert client.get(_url(NetworkRules, "change", rules64.pk)).status_code == 302
    assert client.get(_url(NetworkRules, "history", rules64.pk)).status_code == 404
    data = _form_data(
        admin_site._registry[NetworkRules], _request(users.province_admin), rules64, False
    )
    data["max_households_per_party_member"] = "99"
    client.post(_url(NetworkRules, "change", rules64.pk), data)
    client.post(_url(NetworkRules, "delete", rules64.pk), {"post": "yes"})
    rules64.refresh_from_db()
    assert rules64.max_households_per_party_member == 10
    # Moving Kon Tum's rules onto Gia Lai's program is refused beside the field.
    rules64.delete()
    data = _form_data(
        admin_site._registry[NetworkRules], _request(users.province_admin), rules62, False
    )
    data["program"] = str(Program.objects.get(code="nq-gl").pk)
    response = client.post(_url(NetworkRules, "change", rules62.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["program"]
    rules62.refresh_from_db()
    assert rules62.program.code == "nq-kt"
    # …and Kon Tum's own still changes.
    data["program"] = str(rules62.program_id)
    data["max_households_per_party_member"] = "7"
    assert client.post(_url(NetworkRules, "change", rules62.pk), data).status_code == 302
    rules62.refresh_from_db()
    assert rules62.max_households_per_party_member == 7


def _m2m_value(widget: Any, pks: Any) -> Any:
    """Return many-to-many ids as the widget posts them: "1,2" (raw ids) or a list."""
    values = [str(getattr(pk, "pk", pk)) for pk in pks or []]
    return ",".join(values) if isinstance(widget, ManyToManyRawIdWidget) else values


_FRESH = {"code": "99999", "name": "Mới", "username": "moi", "short_name": "M"}


def test_nothing_can_be_added_that_points_into_another_province(client, users, gia_lai):
    """Every add form, filled from a Gia Lai row (its links into Gia Lai), is refused."""
    admin62 = users.province_admin
    client.force_login(admin62)
    request = _request(admin62)
    tried = 0
    for model, model_admin in _admins():
        # A new program has no commune yet: adding one is every province's right.
        if model._meta.label in SHARED | {"programs.Program"}:
            continue
        if not model_admin.has_add_permission(request):
            continue
        for row in _outside(model_admin, admin62)[:3]:
            data = _form_data(model_admin, request, row, add=True)
            data.update({key: value for key, value in _FRESH.items() if key in data})
            data.update({"password1": "M0i-M0i-M0i-123", "password2": "M0i-M0i-M0i-123"})
            data.setdefault("usable_password", "true")
            before = model._default_manager.count()
            response = client.post(_url(model, "add"), data)
            assert response.status_code == 200, (model, response.get("Location"))
            assert model._default_manager.count() == before, model
            tried += 1
    assert tried >= 6


def test_the_same_add_inside_the_province_works(client, users, gia_lai, tree):
    """The control: a twinning of a Kon Tum organisation with a Kon Tum commune is added."""
    client.force_login(users.province_admin)
    organisation = Organisation.objects.get(province=tree.province)
    data = {
        "organisation": organisation.pk,
        "commune": tree.ngok_wang.pk,
        "start_date": "2020-01-01",
        "end_date": "",
        "decision": "QĐ 1",
    }
    assert client.post(_url(Twinning, "add"), data).status_code == 302
    forged = {**data, "commune": gia_lai["commune"].pk}
    response = client.post(_url(Twinning, "add"), forged)
    assert response.status_code == 200
    assert (
        Twinning.objects.filter(commune=gia_lai["commune"], organisation=organisation).count() == 0
    )
    assert response.context["adminform"].form.errors["commune"]


def test_forged_superuser_and_staff_flags_are_refused(client, users, tree):
    client.force_login(users.province_admin)
    target = users.district_officer
    request = _request(users.province_admin)
    model_admin = admin_site._registry[User]
    data = _form_data(model_admin, request, target, add=False)
    assert "is_superuser" not in data and "is_staff" not in data
    page = client.get(_url(User, "change", target.pk)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    for forged in ({"is_superuser": "on"}, {"is_staff": "on"}, {"user_permissions": ["1"]}):
        response = client.post(_url(User, "change", target.pk), {**data, **forged})
        assert response.status_code == 200, forged
        (name,) = forged
        assert f"“{name}”: chỉ siêu người dùng" in response.content.decode()
        target.refresh_from_db()
        assert not target.is_superuser and not target.is_staff
    # The same form without the forged field saves.
    data["first_name"] = "Mới"
    assert client.post(_url(User, "change", target.pk), data).status_code == 302
    target.refresh_from_db()
    assert target.first_name == "Mới"


def test_a_jurisdiction_outside_the_province_is_refused_by_form_and_service(client, users, gia_lai):
    client.force_login(users.province_admin)
    target = users.district_officer
    data = _form_data(admin_site._registry[User], _request(users.province_admin), target, False)
    data["jurisdiction"] = str(gia_lai["district"].pk)
    response = client.post(_url(User, "change", target.pk), data)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.jurisdiction.code == "615"
    target.jurisdiction = gia_lai["district"]
    with pytest.raises(InvalidInput):
        user_save(user=target, actor=users.province_admin)
    target.refresh_from_db()
    target.is_superuser = True
    with pytest.raises(InvalidInput) as refused:
        user_save(user=target, actor=users.province_admin)
    assert "createsuperuser" in str(refused.value.problems[0].message)


def test_superusers_are_not_visible_to_a_province_administrator(client, users, tree):
    root = User.objects.create_superuser("root", password=PASSWORD)
    root.jurisdiction = tree.province
    root.save()
    client.force_login(users.province_admin)
    listed = client.get(_url(User, "changelist")).context["cl"].queryset
    assert root not in listed
    assert client.get(_url(User, "change", root.pk)).status_code == 302
    assert client.get(_url(User, "history", root.pk)).status_code == 404


def test_moving_a_commune_in_the_admin_and_reverting_it_rewrite_every_path(client, users, tree):
    client.force_login(users.province_admin)
    household(tree.ngok_wang, "A", tree.village_a)
    data = _form_data(
        admin_site._registry[Unit], _request(users.province_admin), tree.ngok_wang, False
    )
    data["parent"] = str(tree.dak_glei.pk)
    assert client.post(_url(Unit, "change", tree.ngok_wang.pk), data).status_code == 302
    assert Household.objects.get(code="A").unit_path == "/62/610/23500/23500-01/"
    assert Unit.objects.get(code="23500-01").path == "/62/610/23500/23500-01/"
    # A cycle is refused beside the field.
    cycle = _form_data(
        admin_site._registry[Unit], _request(users.province_admin), tree.dak_glei, False
    )
    cycle["parent"] = str(tree.ngok_wang.pk)
    response = client.post(_url(Unit, "change", tree.dak_glei.pk), cycle)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    # Revert to the version under Đắk Hà: a move like any other, through the same service.
    version = tree.ngok_wang.history.filter(parent_id=tree.dak_ha.pk).first()
    url = _url(Unit, "simple_history", tree.ngok_wang.pk, version.history_id)
    revert = _form_data(
        admin_site._registry[Unit], _request(users.province_admin), version.instance, False
    )
    assert client.post(url, revert).status_code == 302
    assert Household.objects.get(code="A").unit_path == "/62/615/23500/23500-01/"


def test_a_move_into_another_province_through_the_admin_is_refused(client, users, gia_lai, tree):
    client.force_login(users.province_admin)
    data = _form_data(
        admin_site._registry[Unit], _request(users.province_admin), tree.ngok_wang, False
    )
    data["parent"] = str(gia_lai["district"].pk)
    response = client.post(_url(Unit, "change", tree.ngok_wang.pk), data)
    assert response.status_code == 200
    assert Unit.objects.get(code="23500").path == "/62/615/23500/"
    with pytest.raises(InvalidInput):
        unit_move(unit=tree.ngok_wang, new_parent=gia_lai["district"], actor=users.province_admin)


def test_superusers_come_only_from_the_command_line(users, monkeypatch):
    with pytest.raises(InvalidInput):
        user_create(username="root2", password=PASSWORD, role="", is_superuser=True)
    with pytest.raises(InvalidInput):
        user_create(
            username="root3",
            password=PASSWORD,
            role="",
            is_superuser=True,
            actor=users.province_admin,
        )
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org")
    assert User.objects.get(username="root").is_superuser
