"""API for administrative units, scoped by the gate."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics, serializers

from ketnghia.core.errors import NotFound
from ketnghia.geo import selectors
from ketnghia.geo.models import Unit, UnitLevel


class UnitOutputSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "level",
            "kind",
            "is_urban",
            "parent_code",
            "valid_from",
            "valid_to",
        ]


class UnitListApi(generics.ListAPIView):
    """Units the caller may see; filter with `level`, `parent` (a unit code) or `q` (name)."""

    gate_rule = "units.view"
    serializer_class = UnitOutputSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        params = self.request.query_params
        scope = self.request.scope
        if params.get("q"):
            return selectors.unit_search_for(scope=scope, query=params["q"], limit=500)
        level = params.get("level")
        if level is not None and level not in UnitLevel.values:
            level = "__none__"
        parent = None
        if params.get("parent"):
            try:
                parent = selectors.unit_get_for(scope=scope, code=params["parent"])
            except NotFound:
                return Unit.objects.none()
        return selectors.unit_list_for(scope=scope, level=level, parent=parent).order_by("path")


class UnitDetailApi(generics.RetrieveAPIView):
    """One unit the caller may see, by national code."""

    gate_rule = "units.view"
    serializer_class = UnitOutputSerializer

    def get_object(self) -> Unit:
        return selectors.unit_get_for(scope=self.request.scope, code=self.kwargs["code"])
