"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ketnghia.core.gate import GatedView


class LoginView(GatedView, auth_views.LoginView):
    """Sign in with username and password; repeated failures lock the account (django-axes)."""

    gate_rule = "public"
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(GatedView, auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and say so on the page that follows."""

    gate_rule = "public"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, _("You have signed out."))
        return response
