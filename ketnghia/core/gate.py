"""The scoping gate: the one place that turns (user, action) into the units the user may reach.

Every route declares a gate rule. A rule says whether the route needs a signed-in user and, if
it touches protected data, which action it performs; the gate checks the user's role allows
that action and hands the view `request.scope`, the `UnitScope` every selector filters with.
Routes that declare no rule are refused at run time (`GateMiddleware`) and fail the
route-walking test (`undeclared_routes`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.permissions import BasePermission


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    ADMINISTER = "administer"
    # Read personal data (ID numbers, phone numbers, birth dates) of the people of a unit in
    # full; everyone else who may view them sees them masked (Decree 13/2023 on personal data:
    # minimisation). Every output applies it through `core.personal_data`.
    SEE_PERSONAL_DATA = "see_personal_data"
    SEE_PERSONAL_IDS = "see_personal_data"  # the earlier name, an alias of the same action
    # The public portal (ketnghia.portal): write and publish a unit's bulletins; moderate the
    # comments on them. Neither opens the unit's protected data.
    PUBLISH = "publish"
    MODERATE = "moderate"


# What each role may do, and where a role's units come from when not from the user's
# jurisdiction. Core imports no app: the apps that own roles and scopes fill these in their
# `AppConfig.ready` (accounts its roles' actions, twinning the twinned communes of a
# twinning-unit member) through `role_register` and `scope_provider_register`.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {}

# (user, day) → the paths of the units the user answers for that day.
ScopeProvider = Callable[[Any, date], frozenset[str]]
_scope_providers: dict[str, ScopeProvider] = {}


def role_register(role: str, actions: Iterable[Action]) -> None:
    """Say which actions users of `role` may take on the units of their scope."""
    ROLE_ACTIONS[role] = frozenset(actions)


def scope_provider_register(role: str, provider: ScopeProvider) -> None:
    """Give the units of users of `role` by `provider(user, day)` instead of their
    jurisdiction (a twinning-unit member reaches the communes its organisation is twinned
    with that day)."""
    _scope_providers[role] = provider


@dataclass(frozen=True)
class UnitScope:
    """The units a user may reach for one action: whole subtrees given by their paths."""

    paths: frozenset[str] = frozenset()
    everything: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.paths

    def q(self, path_field: str = "path") -> Q:
        """Return a filter on `path_field` (e.g. "unit__path") matching the scope."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        condition = Q()
        for path in sorted(self.paths):
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition

    def filter(self, queryset: QuerySet, path_field: str = "path") -> QuerySet:
        """Return `queryset` restricted to records whose unit lies inside the scope."""
        if self.everything:
            return queryset
        if not self.paths:
            return queryset.none()
        return queryset.filter(self.q(path_field))

    def contains_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(root) for root in self.paths)


NOTHING = UnitScope()
EVERYTHING = UnitScope(everything=True)


def scope_for(user: Any, action: Action) -> UnitScope:
    """Return the units `user` may reach for `action`; the only place this is decided."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return NOTHING
    provider = _scope_providers.get(user.role)
    if provider is not None:
        return UnitScope(paths=provider(user, timezone.localdate()))
    if user.jurisdiction_id is None:
        return NOTHING
    return UnitScope(paths=frozenset({user.jurisdiction.path}))


def reaches(user: Any, action: Action, path: str) -> bool:
    """Return whether `user` may take `action` on the unit (or record) at `path`."""
    return scope_for(user, action).contains_path(path)


@dataclass(frozen=True)
class Rule:
    """What a route needs: a signed-in user or not, and the action it performs on units."""

    name: str
    login: bool
    action: Action | None = None


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        # No protected data: home, sign-in, language switch, static docs, the API schema.
        Rule("public", login=False),
        # Only the signed-in user's own account.
        Rule("signed_in", login=True),
        Rule("units.view", login=True, action=Action.VIEW),
        Rule("units.edit", login=True, action=Action.EDIT),
        # Census rounds, their entries and the households they list; which workflow step a
        # role may take is the census workflow's rule, on top of the edit scope.
        Rule("census.view", login=True, action=Action.VIEW),
        Rule("census.edit", login=True, action=Action.EDIT),
        Rule("admin", login=True, action=Action.ADMINISTER),
        # Recording a work team's activities (the form, the upload, its confirmation, photos):
        # the route sees what the user views; which teams they record for is one selector of
        # the app that owns the teams (twinning's `teams_user_may_record_for`).
        Rule("activities.record", login=True, action=Action.VIEW),
        # The public portal's editors and moderators, over their province's bulletins.
        Rule("portal.edit", login=True, action=Action.PUBLISH),
        Rule("portal.moderate", login=True, action=Action.MODERATE),
    )
}

# URL namespaces whose every route is declared at once (views we do not write ourselves).
NAMESPACE_RULES: dict[str, str] = {"admin": "admin"}


class GateRefused(PermissionDenied):
    """The user is signed in but the route's rule does not let them in."""


def check(user: Any, rule_name: str) -> UnitScope:
    """Return the scope `rule_name` grants `user`; raise GateRefused if it grants nothing.

    Callers handle the "not signed in" case first (redirect or 401).
    """
    rule = RULES[rule_name]
    if rule.action is None:
        return NOTHING
    scope = scope_for(user, rule.action)
    if scope.is_empty:
        # The reason goes to the one-line refusal log (core.refusals), never to the page.
        raise GateRefused(
            f"rule {rule_name}: role {getattr(user, 'role', '') or '-'} reaches no unit "
            f"for {rule.action.value}"
        )
    return scope


def allows(user: Any, rule_name: str) -> bool:
    """Return whether `user` passes `rule_name`."""
    rule = RULES[rule_name]
    if rule.login and not (user and user.is_authenticated):
        return False
    try:
        check(user, rule_name)
    except GateRefused:
        return False
    return True


def _enter(request: HttpRequest, rule_name: str) -> HttpResponse | None:
    """Apply `rule_name` to the request; return a response that ends it, or None to go on."""
    rule = RULES[rule_name]
    if rule.login and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    request.scope = check(request.user, rule_name)  # type: ignore[attr-defined]
    return None


V = TypeVar("V", bound=Callable[..., HttpResponse])


def gate(rule_name: str) -> Callable[[V], V]:
    """Declare a function view's gate rule and enforce it on every request."""
    if rule_name not in RULES:
        raise KeyError(f"unknown gate rule {rule_name!r}")

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = _enter(request, rule_name)
            return refused if refused is not None else view(request, *args, **kwargs)

        gated.gate_rule = rule_name  # type: ignore[attr-defined]
        return gated  # type: ignore[return-value]

    return decorate


class GatedView:
    """Mixin for class-based views: set `gate_rule`; the rule is enforced before dispatch."""

    gate_rule: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _enter(request, self.gate_rule)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class GatePermission(BasePermission):
    """DRF permission: the view's `gate_rule` decides; a view without one is refused."""

    def has_permission(self, request: Any, view: Any) -> bool:
        rule_name = getattr(view, "gate_rule", None)
        if rule_name is None:
            return False
        rule = RULES[rule_name]
        if rule.login and not request.user.is_authenticated:
            return False
        try:
            request.scope = check(request.user, rule_name)
        except GateRefused:
            return False
        return True


# --- Declarations: which rule each route uses -----------------------------------------


def rule_of(
    callback: Callable[..., Any], namespaces: tuple[str, ...] | list[str] = ()
) -> str | None:
    """Return the gate rule a resolved route declares, or None when it declares none."""
    for owner in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
    ):
        rule = getattr(owner, "gate_rule", None) if owner is not None else None
        if rule is not None:
            return rule
    for namespace in namespaces:
        if namespace in NAMESPACE_RULES:
            return NAMESPACE_RULES[namespace]
    return None


def iter_routes(
    patterns: list[Any], prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, Callable[..., Any], tuple[str, ...]]]:
    """Yield (route, callback, namespaces) for every URL pattern below `patterns`."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from iter_routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback, namespaces


def undeclared_routes(urlconf: str | None = None) -> list[str]:
    """Return the routes of `urlconf` (default: the project's) that declare no gate rule."""
    resolver = get_resolver(urlconf)
    return [
        route
        for route, callback, namespaces in iter_routes(resolver.url_patterns)
        if rule_of(callback, namespaces) not in RULES
    ]


class GateMiddleware:
    """Refuse, at run time, any resolved route that declares no gate rule (fail closed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        namespaces = tuple(match.namespaces) if match else ()
        if rule_of(view_func, namespaces) not in RULES:
            raise PermissionDenied("route not declared to the scoping gate")
        return None
