"""The scoping gate: the one place that turns (user, action) into the units the user may reach.

Every route declares a gate rule. A rule says whether the route needs a signed-in user and, if
it touches protected data, which action it performs; the gate checks the user's role allows
that action and hands the view `request.scope`, the `UnitScope` every selector filters with.
Routes that declare no rule are refused at run time (`GateMiddleware`) and fail the
route-walking test (`undeclared_routes`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
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

from ketnghia.accounts.models import Role
from ketnghia.twinning.models import Twinning


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


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.PROVINCE_ADMIN: frozenset(
        {
            Action.VIEW,
            Action.EDIT,
            Action.ADMINISTER,
            Action.SEE_PERSONAL_DATA,
            Action.PUBLISH,
            Action.MODERATE,
        }
    ),
    Role.PROVINCE_VIEWER: frozenset({Action.VIEW}),
    Role.DISTRICT_OFFICER: frozenset({Action.VIEW, Action.EDIT}),
    Role.COMMUNE_OFFICER: frozenset({Action.VIEW, Action.EDIT, Action.SEE_PERSONAL_DATA}),
    Role.TWINNING_MEMBER: frozenset({Action.VIEW}),
    Role.PUBLIC_EDITOR: frozenset({Action.PUBLISH}),
    Role.PUBLIC_MODERATOR: frozenset({Action.MODERATE}),
}


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


def _twinned_commune_paths(organisation_id: int, on: date) -> frozenset[str]:
    current = Twinning.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on),
        organisation_id=organisation_id,
        start_date__lte=on,
    )
    return frozenset(current.values_list("commune__path", flat=True))


def scope_for(user: Any, action: Action) -> UnitScope:
    """Return the units `user` may reach for `action`; the only place this is decided."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return NOTHING
    if user.role == Role.TWINNING_MEMBER:
        if user.organisation_id is None:
            return NOTHING
        return UnitScope(paths=_twinned_commune_paths(user.organisation_id, timezone.localdate()))
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
