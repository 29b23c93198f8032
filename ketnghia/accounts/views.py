"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from ketnghia.core.gate import GatedView


class LoginView(GatedView, auth_views.LoginView):
    gate_rule = "public"
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(GatedView, auth_views.LogoutView):
    gate_rule = "public"
