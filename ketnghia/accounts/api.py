"""API about the signed-in user."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketnghia.accounts.models import User


class MeOutputSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", default=None)
    organisation = serializers.CharField(source="organisation.name", default=None)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "role",
            "jurisdiction_code",
            "organisation",
        ]


class MeApi(APIView):
    """The signed-in user: role and jurisdiction."""

    gate_rule = "signed_in"
    serializer_class = MeOutputSerializer

    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)
