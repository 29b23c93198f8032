"""Language choice (Vietnamese first) and the security headers of every response."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language.

    Officers often use browsers set to English; the system must still speak Vietnamese first
    (design rule 7). Only the language switch (its cookie) changes the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Headers every page needs: a Content-Security-Policy, and no caching of personal data.

    `Cache-Control: no-store` goes on every response to a signed-in user (static files are
    served before this middleware, by WhiteNoise, and keep their long cache): the simplest
    rule that cannot miss a page, an export or an API answer carrying personal data. The CSP
    (`KETNGHIA_CSP`) allows scripts from the site itself only, so an injected script does not
    run; the pages, htmx, Swagger UI and the admin carry no inline script.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.KETNGHIA_CSP
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A page cached by data version (`indicators.cache`) is kept by the browser only
            # (`private, no-cache`: revalidated every time, answered 304 while unchanged).
            if not getattr(response, "revalidate_privately", False):
                response["Cache-Control"] = "no-store"
            patch_vary_headers(response, ["Cookie"])
        return response
