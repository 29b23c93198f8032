"""All API routes, under /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ketnghia.accounts.api import MeApi
from ketnghia.census import api as census_api
from ketnghia.census import api_workflow as census_api_workflow
from ketnghia.census.api_households import HouseholdDetailApi
from ketnghia.core.gate import gate
from ketnghia.criteria import api as criteria_api
from ketnghia.geo.api import UnitDetailApi, UnitListApi
from ketnghia.twinning import api as twinning_api

app_name = "api"
urlpatterns = [
    path("schema/", gate("public")(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file: no inline script (CSP).
        gate("public")(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("me/", MeApi.as_view(), name="me"),
    path("units/", UnitListApi.as_view(), name="unit_list"),
    path("units/<str:code>/", UnitDetailApi.as_view(), name="unit_detail"),
    path(
        "census/<str:commune>/rounds/",
        census_api.RoundListApi.as_view(),
        name="census_round_list",
    ),
    path(
        "census/<str:commune>/<int:year>/",
        census_api.RoundDetailApi.as_view(),
        name="census_round_detail",
    ),
    path(
        "census/<str:commune>/<int:year>/entries/",
        census_api.RoundEntryListApi.as_view(),
        name="census_entry_list",
    ),
    path(
        "census/<str:commune>/<int:year>/advance/",
        census_api.RoundAdvanceApi.as_view(),
        name="census_round_advance",
    ),
    path(
        "census/<str:commune>/<int:year>/meeting/",
        census_api.RoundMeetingApi.as_view(),
        name="census_round_meeting",
    ),
    path(
        "census/<str:commune>/<int:year>/posting/",
        census_api.RoundPostingApi.as_view(),
        name="census_round_posting",
    ),
    path(
        "census/<str:commune>/<int:year>/complaints/",
        census_api.ComplaintRecordApi.as_view(),
        name="census_complaint_record",
    ),
    path(
        "census/<str:commune>/<int:year>/complaints/<int:pk>/resolve/",
        census_api.ComplaintResolveApi.as_view(),
        name="census_complaint_resolve",
    ),
    path(
        "census/<str:commune>/<int:year>/override/",
        census_api.EntryOverrideApi.as_view(),
        name="census_entry_override",
    ),
    path(
        "census/<str:commune>/<int:year>/revise/",
        census_api.RoundReviseApi.as_view(),
        name="census_round_revise",
    ),
    path("criteria/sets/", criteria_api.CriteriaSetListApi.as_view(), name="criteria_set_list"),
    path(
        "criteria/<str:code>/<str:level>/<int:year>/",
        criteria_api.AssessmentListApi.as_view(),
        name="criteria_assessment_list",
    ),
    path(
        "census/<str:commune>/<int:year>/return/",
        census_api_workflow.RoundReturnApi.as_view(),
        name="census_round_return",
    ),
    path(
        "households/<str:commune>/<str:code>/",
        HouseholdDetailApi.as_view(),
        name="household_detail",
    ),
    path("network/people/<int:pk>/", twinning_api.PersonDetailApi.as_view(), name="person_detail"),
    path(
        "network/<str:commune>/coverage/",
        twinning_api.CommuneCoverageApi.as_view(),
        name="commune_coverage",
    ),
]
