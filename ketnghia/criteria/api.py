"""Criteria API: the sets, and the stored results of a set for a year (scoped by the gate)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.criteria import selectors
from ketnghia.criteria.domain import Level
from ketnghia.criteria.models import Assessment


class CriteriaSetOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    level = serializers.CharField()
    name = serializers.CharField(source="name.vi")
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    example = serializers.BooleanField()
    verified = serializers.BooleanField()
    criteria = serializers.SerializerMethodField()

    def get_criteria(self, obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [c.code for c in obj.criteria]


class CriteriaSetListApi(APIView):
    """Every criteria set version: stored ones, and shipped files not stored yet."""

    gate_rule = "signed_in"
    serializer_class = CriteriaSetOutputSerializer

    def get(self, request: Request) -> Response:
        sets = selectors.criteria_sets_list()
        return Response(CriteriaSetOutputSerializer(sets, many=True).data)


class AssessmentOutputSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")

    class Meta:
        model = Assessment
        fields = ["unit", "name", "year", "outcome", "met_count", "counted", "failing", "details"]


class AssessmentListApi(generics.ListAPIView):
    """The stored results of one set, level and year, for the units the caller may see."""

    gate_rule = "units.view"
    serializer_class = AssessmentOutputSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        level = self.kwargs["level"]
        if level not in Level.values:
            raise InvalidInput(Problem(str(level), Location(field="level")))
        version = selectors.set_version_get(
            code=self.kwargs["code"], level=level, year=self.kwargs["year"]
        )
        return selectors.assessment_list_for(
            scope=self.request.scope, set_version=version, year=self.kwargs["year"]
        ).order_by("unit_path")
