"""Census API: rounds, their counts and entries, and the workflow steps, all through the gate.

Reads declare `census.view`, writes `census.edit`; a round or household outside the caller's
scope answers 404 exactly like a missing one. Writes go through `ketnghia.census.services`;
their problems, and those of the input, come back as `{"errors": [...]}` with status 400.
A round is the latest revision of its year unless `?revision=N` names another.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketnghia.census import rules, selectors, services
from ketnghia.census.models import CensusEntry, CensusRound, Complaint, RoundState, Status
from ketnghia.core import gate
from ketnghia.core.attachments import attachment_url
from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import Unit, UnitLevel

DATE_FORMATS = ["iso-8601", "%d/%m/%Y"]

REVISION = OpenApiParameter(
    "revision",
    OpenApiTypes.INT,
    description="Revision of the round (default: the latest of the year).",
)
ERRORS = inline_serializer(
    "Errors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "ErrorProblem",
                {
                    "message": serializers.CharField(),
                    "file": serializers.CharField(),
                    "sheet": serializers.CharField(),
                    "row": serializers.IntegerField(allow_null=True),
                    "column": serializers.CharField(),
                    "field": serializers.CharField(),
                },
            )
        )
    },
)


# --- Lookups --------------------------------------------------------------------------------


def commune_get_for(*, scope: gate.UnitScope, code: str) -> Unit:
    """Return the commune with `code` inside `scope`; NotFound for anything else."""
    unit = geo_selectors.unit_get_for(scope=scope, code=code)
    if unit.level != UnitLevel.COMMUNE:
        raise NotFound(_("Unit %(code)s not found.") % {"code": code})
    return unit


def _revision(request: Request) -> int | None:
    raw = request.query_params.get("revision")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            Problem(_("The revision must be a whole number."), Location(field="revision"))
        ) from None


def _round(request: Request, kwargs: dict[str, Any]) -> CensusRound:
    return selectors.round_get_for(
        scope=request.scope,
        commune_code=kwargs["commune"],
        year=kwargs["year"],
        revision=_revision(request),
    )


def _validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Return the request's data checked by `serializer_class`; InvalidInput listing problems."""
    serializer = serializer_class(data=request.data)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    problems = []
    for field, errors in serializer.errors.items():
        name = "" if field == "non_field_errors" else field
        for error in errors if isinstance(errors, list) else [errors]:
            problems.append(Problem(str(error), Location(field=name)))
    raise InvalidInput(problems)


# --- Output ---------------------------------------------------------------------------------


class RoundOutputSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    supersedes_revision = serializers.IntegerField(
        source="supersedes.revision", default=None, read_only=True
    )
    has_minutes = serializers.SerializerMethodField()
    minutes_url = serializers.SerializerMethodField(
        help_text="The minutes' download through the gate (an attachment, never inline)."
    )

    class Meta:
        model = CensusRound
        fields = [
            "commune_code",
            "year",
            "revision",
            "standard_code",
            "state",
            "state_label",
            "supersedes_revision",
            "meeting_date",
            "meeting_participants",
            "meeting_agreeing",
            "has_minutes",
            "minutes_url",
            "posting_start",
            "posting_end",
            "commune_approved_at",
            "district_accepted_at",
            "province_accepted_at",
        ]

    def get_has_minutes(self, census_round: CensusRound) -> bool:
        return census_round.meeting_minutes_id is not None

    def get_minutes_url(self, census_round: CensusRound) -> str | None:
        return attachment_url(census_round.meeting_minutes) or None


class NextStepSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=RoundState.choices)
    allowed_for_you = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class RoundDetailOutputSerializer(RoundOutputSerializer):
    counts = serializers.SerializerMethodField()
    households = serializers.SerializerMethodField()
    poverty_rate = serializers.SerializerMethodField()
    near_poverty_rate = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    class Meta(RoundOutputSerializer.Meta):
        fields = [
            *RoundOutputSerializer.Meta.fields,
            "counts",
            "households",
            "poverty_rate",
            "near_poverty_rate",
            "next_step",
        ]

    def _counts(self, census_round: CensusRound) -> dict[str, int]:
        cache = self.context.setdefault("_counts", {})
        if census_round.pk not in cache:
            cache[census_round.pk] = selectors.status_counts(census_round=census_round)
        return cache[census_round.pk]

    def get_counts(self, census_round: CensusRound) -> dict[str, int]:
        return self._counts(census_round)

    def get_households(self, census_round: CensusRound) -> int:
        return sum(self._counts(census_round).values())

    def get_poverty_rate(self, census_round: CensusRound) -> float | None:
        counts = self._counts(census_round)
        return rules.poverty_rate(counts[Status.POOR], sum(counts.values()))

    def get_near_poverty_rate(self, census_round: CensusRound) -> float | None:
        counts = self._counts(census_round)
        return rules.poverty_rate(counts[Status.NEAR_POOR], sum(counts.values()))

    @extend_schema_field(NextStepSerializer(allow_null=True))
    def get_next_step(self, census_round: CensusRound) -> dict[str, Any] | None:
        step = selectors.round_next_step(
            census_round=census_round, user=self.context["request"].user
        )
        if step is None:
            return None
        return {"target": step.target, "allowed_for_you": step.allowed, "problems": step.problems}


class EntryOutputSerializer(serializers.ModelSerializer):
    overridden = serializers.BooleanField(source="is_overridden", read_only=True)

    class Meta:
        model = CensusEntry
        fields = [
            "household_code",
            "head_name",
            "village_code",
            "area",
            "member_count",
            "monthly_income_per_person",
            "deprivations",
            "deprivation_count",
            "computed_status",
            "status",
            "rule",
            "overridden",
            "override_reason",
        ]


class ComplaintOutputSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", default=None, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "received_on", "household_code", "text", "resolution", "resolved_on"]


# --- Reads ----------------------------------------------------------------------------------


class RoundListApi(generics.ListAPIView):
    """Every census round of a commune (all revisions), oldest first."""

    gate_rule = "census.view"
    serializer_class = RoundOutputSerializer

    def get_queryset(self) -> QuerySet[CensusRound]:
        commune = commune_get_for(scope=self.request.scope, code=self.kwargs["commune"])
        return selectors.round_list_for(scope=self.request.scope, commune=commune).select_related(
            "commune", "supersedes"
        )


@extend_schema(parameters=[REVISION], responses={200: RoundDetailOutputSerializer, 404: ERRORS})
class RoundDetailApi(generics.RetrieveAPIView):
    """One census round with its counts by status, rates and the next step of its procedure."""

    gate_rule = "census.view"
    serializer_class = RoundDetailOutputSerializer

    def get_object(self) -> CensusRound:
        return _round(self.request, self.kwargs)


@extend_schema(
    parameters=[
        REVISION,
        OpenApiParameter(
            "q", OpenApiTypes.STR, description="Household code or head's name, any diacritics."
        ),
    ]
)
class RoundEntryListApi(generics.ListAPIView):
    """The households of one round as classified in it; `q` searches without diacritics."""

    gate_rule = "census.view"
    serializer_class = EntryOutputSerializer

    def get_queryset(self) -> QuerySet[CensusEntry]:
        census_round = _round(self.request, self.kwargs)
        return selectors.entry_search_for(
            scope=self.request.scope,
            census_round=census_round,
            query=self.request.query_params.get("q", ""),
        )


# --- Writes ---------------------------------------------------------------------------------


class AdvanceInputSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=RoundState.choices)


class MeetingInputSerializer(serializers.Serializer):
    meeting_date = serializers.DateField(input_formats=DATE_FORMATS)
    participants = serializers.IntegerField(min_value=1)
    agreeing = serializers.IntegerField(min_value=0)
    minutes = serializers.FileField(required=False)


class PostingInputSerializer(serializers.Serializer):
    start = serializers.DateField(input_formats=DATE_FORMATS)
    end = serializers.DateField(input_formats=DATE_FORMATS)


class ComplaintInputSerializer(serializers.Serializer):
    received_on = serializers.DateField(input_formats=DATE_FORMATS)
    text = serializers.CharField()
    household_code = serializers.CharField(required=False, allow_blank=True)


class ResolveInputSerializer(serializers.Serializer):
    resolved_on = serializers.DateField(input_formats=DATE_FORMATS)
    resolution = serializers.CharField()


class OverrideInputSerializer(serializers.Serializer):
    household_code = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField()


class _RoundWriteApi(APIView):
    """A POST on one round that calls one service; the round comes back as it is after it."""

    gate_rule = "census.edit"

    def _done(self, census_round: CensusRound, code: int = status.HTTP_200_OK) -> Response:
        census_round.refresh_from_db()
        context = {"request": self.request}
        return Response(RoundDetailOutputSerializer(census_round, context=context).data, code)


_ROUND_WRITE = {200: RoundDetailOutputSerializer, 400: ERRORS, 404: ERRORS}


@extend_schema(parameters=[REVISION], request=AdvanceInputSerializer, responses=_ROUND_WRITE)
class RoundAdvanceApi(_RoundWriteApi):
    """Move a round one step along the procedure, if the caller's role and the facts allow."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(AdvanceInputSerializer, request)
        services.census_round_advance(
            census_round=census_round, target=data["target"], actor=request.user
        )
        return self._done(census_round)


@extend_schema(
    parameters=[REVISION],
    request={
        "multipart/form-data": MeetingInputSerializer,
        "application/json": MeetingInputSerializer,
    },
    responses=_ROUND_WRITE,
)
class RoundMeetingApi(_RoundWriteApi):
    """Record the village meeting: date, participants, how many agreed, the minutes file."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(MeetingInputSerializer, request)
        if data["agreeing"] > data["participants"]:
            raise InvalidInput(
                Problem(
                    _("More participants agree than took part in the meeting."),
                    Location(field="agreeing"),
                )
            )
        services.census_round_record_meeting(
            census_round=census_round,
            meeting_date=data["meeting_date"],
            participants=data["participants"],
            agreeing=data["agreeing"],
            minutes=data.get("minutes"),
            actor=request.user,
        )
        return self._done(census_round)


@extend_schema(parameters=[REVISION], request=PostingInputSerializer, responses=_ROUND_WRITE)
class RoundPostingApi(_RoundWriteApi):
    """Record the dates the draft list was posted publicly."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(PostingInputSerializer, request)
        if data["end"] < data["start"]:
            raise InvalidInput(
                Problem(_("The posting cannot end before it starts."), Location(field="end"))
            )
        services.census_round_record_posting(
            census_round=census_round, start=data["start"], end=data["end"], actor=request.user
        )
        return self._done(census_round)


@extend_schema(
    parameters=[REVISION],
    request=ComplaintInputSerializer,
    responses={201: ComplaintOutputSerializer, 400: ERRORS, 404: ERRORS},
)
class ComplaintRecordApi(_RoundWriteApi):
    """Record a complaint received while the draft list is posted."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(ComplaintInputSerializer, request)
        household = None
        if data.get("household_code"):
            household = selectors.entry_get_for(
                scope=request.scope,
                census_round=census_round,
                household_code=data["household_code"],
            ).household
        complaint = services.complaint_record(
            census_round=census_round,
            received_on=data["received_on"],
            text=data["text"],
            household=household,
            actor=request.user,
        )
        return Response(ComplaintOutputSerializer(complaint).data, status.HTTP_201_CREATED)


@extend_schema(
    parameters=[REVISION],
    request=ResolveInputSerializer,
    responses={200: ComplaintOutputSerializer, 400: ERRORS, 404: ERRORS},
)
class ComplaintResolveApi(_RoundWriteApi):
    """Record how a complaint was resolved."""

    def post(self, request: Request, commune: str, year: int, pk: int) -> Response:
        census_round = _round(request, self.kwargs)
        complaint = selectors.complaint_get_for(
            scope=request.scope, census_round=census_round, pk=pk
        )
        data = _validated(ResolveInputSerializer, request)
        services.complaint_resolve(
            complaint=complaint,
            resolution=data["resolution"],
            resolved_on=data["resolved_on"],
            actor=request.user,
        )
        return Response(ComplaintOutputSerializer(complaint).data)


@extend_schema(
    parameters=[REVISION],
    request=OverrideInputSerializer,
    responses={200: EntryOutputSerializer, 400: ERRORS, 404: ERRORS},
)
class EntryOverrideApi(_RoundWriteApi):
    """Set a household's status in a round by hand, with a reason; the caller is the approver."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(OverrideInputSerializer, request)
        entry = selectors.entry_get_for(
            scope=request.scope, census_round=census_round, household_code=data["household_code"]
        )
        services.census_entry_override(
            entry=entry, status=data["status"], reason=data["reason"], actor=request.user
        )
        return Response(EntryOutputSerializer(entry).data)


@extend_schema(
    parameters=[REVISION],
    request=None,
    responses={201: RoundDetailOutputSerializer, 400: ERRORS, 404: ERRORS},
)
class RoundReviseApi(_RoundWriteApi):
    """Open a revision of an approved round; the approved one stays the official figure."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        revision = services.census_round_revise(census_round=census_round, actor=request.user)
        return self._done(revision, status.HTTP_201_CREATED)
