"""The project's routes plus one that declares no gate rule, for the gate's own tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ketnghia.urls import urlpatterns as project_urlpatterns


def leak(request: HttpRequest) -> HttpResponse:
    return HttpResponse("every commune's households")


urlpatterns = [*project_urlpatterns, path("leak/", leak)]
