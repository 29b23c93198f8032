"""Household API: one household with its members and its status in each census round.

Personal ID numbers come masked unless the gate lets the caller see them in full (the
commune's officers and the province administrators), exactly as on the household page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ketnghia.census import selectors as census_selectors
from ketnghia.census.models import CensusEntry
from ketnghia.core.personal_data import Kind, disclosure_open
from ketnghia.households import selectors
from ketnghia.households.models import Household, Member


class MemberOutputSerializer(serializers.ModelSerializer):
    ethnicity_name = serializers.CharField(source="get_ethnicity_display", read_only=True)
    personal_id = serializers.SerializerMethodField(
        help_text="Masked (e.g. 0*********89) unless the caller may see it in full."
    )

    class Meta:
        model = Member
        fields = [
            "full_name",
            "sex",
            "birth_year",
            "ethnicity",
            "ethnicity_name",
            "relation",
            "personal_id",
        ]

    def get_personal_id(self, member: Member) -> str:
        return self.context["door"].show(
            member.personal_id,
            kind=Kind.PERSONAL_ID,
            path=member.household.unit_path,
            subject=member.household_id,
        )


class HouseholdStatusSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="round.year", read_only=True)
    revision = serializers.IntegerField(source="round.revision", read_only=True)
    round_state = serializers.CharField(source="round.state", read_only=True)
    standard_code = serializers.CharField(source="round.standard_code", read_only=True)
    overridden = serializers.BooleanField(source="is_overridden", read_only=True)
    override_approver = serializers.CharField(
        source="override_approver.username", default=None, read_only=True
    )

    class Meta:
        model = CensusEntry
        fields = [
            "year",
            "revision",
            "round_state",
            "standard_code",
            "monthly_income_per_person",
            "deprivation_count",
            "computed_status",
            "status",
            "rule",
            "overridden",
            "override_reason",
            "override_approver",
        ]


class HouseholdOutputSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    village_code = serializers.CharField(source="village.code", default=None, read_only=True)
    members = serializers.SerializerMethodField()
    statuses = serializers.SerializerMethodField()
    personal_ids_masked = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "commune_code",
            "code",
            "head_name",
            "village_code",
            "address",
            "area",
            "registered_year",
            "left_year",
            "personal_ids_masked",
            "members",
            "statuses",
        ]

    def get_personal_ids_masked(self, household: Household) -> bool:
        return not self.context["door"].may_see(household.unit_path)

    @extend_schema_field(MemberOutputSerializer(many=True))
    def get_members(self, household: Household) -> list[dict[str, Any]]:
        members = selectors.member_list(household=household)
        return MemberOutputSerializer(members, many=True, context=self.context).data

    @extend_schema_field(HouseholdStatusSerializer(many=True))
    def get_statuses(self, household: Household) -> list[dict[str, Any]]:
        entries = census_selectors.household_history(household=household)
        return HouseholdStatusSerializer(entries, many=True).data


class HouseholdDetailApi(generics.RetrieveAPIView):
    """One household of a commune: members (IDs masked as the gate decides) and statuses by year."""

    gate_rule = "census.view"
    serializer_class = HouseholdOutputSerializer

    def get_object(self) -> Household:
        return selectors.household_get_for(
            scope=self.request.scope,
            commune_code=self.kwargs["commune"],
            code=self.kwargs["code"],
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        with disclosure_open(
            user=request.user, output="census.household_api", household=household
        ) as door:
            context = {**self.get_serializer_context(), "door": door}
            data = HouseholdOutputSerializer(household, context=context).data
        return Response(data)
