"""API of the district's return step (beside `api.py`, whose round lookups it reuses)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ketnghia.census import services
from ketnghia.census.api import _ROUND_WRITE, REVISION, _round, _RoundWriteApi, _validated


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


@extend_schema(parameters=[REVISION], request=ReturnInputSerializer, responses=_ROUND_WRITE)
class RoundReturnApi(_RoundWriteApi):
    """Return a round the commune approved to the commune, with the district's reason."""

    def post(self, request: Request, commune: str, year: int) -> Response:
        census_round = _round(request, self.kwargs)
        data = _validated(ReturnInputSerializer, request)
        services.census_round_return(
            census_round=census_round, reason=data["reason"], actor=request.user
        )
        return self._done(census_round)
