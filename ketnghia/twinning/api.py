"""API of the twinning network, scoped by the gate; phones leave through the personal-data door."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.personal_data import Kind, disclosure_open
from ketnghia.programs.selectors import program_for
from ketnghia.twinning import coverage, selectors


class PersonOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    sex = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    ethnicity = serializers.CharField()
    phone = serializers.CharField()
    commune_code = serializers.CharField(allow_null=True)
    village_code = serializers.CharField(allow_null=True)
    organisation = serializers.CharField(allow_null=True)


class PersonDetailApi(APIView):
    """One person of the network the caller may see (phone masked unless the gate allows)."""

    gate_rule = "units.view"

    @extend_schema(responses=PersonOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        person = selectors.person_get_for(scope=request.scope, pk=pk)
        with disclosure_open(
            user=request.user, output="twinning.person_api", unit_path=person.unit_path
        ) as door:
            phone = door.show(
                person.phone, kind=Kind.PHONE, path=person.unit_path, subject=person.pk
            )
        data = {
            "id": person.pk,
            "full_name": person.full_name,
            "role": person.role,
            "sex": person.sex,
            "birth_year": person.birth_year,
            "ethnicity": person.ethnicity,
            "phone": phone,
            "commune_code": person.commune.code if person.commune else None,
            "village_code": person.village.code if person.village else None,
            "organisation": person.organisation.name if person.organisation else None,
        }
        return Response(PersonOutputSerializer(data).data)


class RatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class CommuneCoverageApi(APIView):
    """A commune's coverage in a year (`?year=`, `?program=`), each measure a numerator over a
    denominator, and who is in charge on a day (`?on=YYYY-MM-DD`)."""

    gate_rule = "units.view"

    @extend_schema(responses=RatioSerializer(many=True))
    def get(self, request: Request, commune: str) -> Response:
        found = selectors.commune_get_for(scope=request.scope, code=commune)
        today = timezone.localdate()
        try:
            year = int(request.query_params.get("year", today.year))
            on = date.fromisoformat(request.query_params.get("on", today.isoformat()))
        except ValueError:
            raise InvalidInput(
                Problem(
                    _("Give the year as a number and the day as YYYY-MM-DD."),
                    Location(field="on"),
                )
            ) from None
        # As the network pages: a program with a commune in scope (another province's: 404).
        program = program_for(scope=request.scope, code=request.query_params.get("program") or None)
        report = coverage.coverage_report(
            scope=request.scope, program=program, year=year, communes=[found]
        )
        in_charge = selectors.in_charge_on(scope=request.scope, on=on, commune=found)
        return Response(
            {
                "commune": found.code,
                "program": program.code,
                "year": year,
                "measures": {k: v.as_dict() for k, v in report.communes[0].measures.items()},
                "twinning_units_on": {
                    "on": on.isoformat(),
                    "organisations": [t.organisation.name for t in in_charge.twinnings],
                },
            }
        )
