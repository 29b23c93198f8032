"""The Django admin, open to province administrators through the gate, and only to their units.

A province administrator reads, adds, changes, reverts and deletes only the rows of their
province (`ScopedModelAdmin.unit_path_field`); every choice of a unit, organisation or other
scoped record is limited to their province, and every write goes through a service that
refuses the same things (`core.scoping`), so a forged form is refused beside the field. The
history pages of simple-history (`…/history/`, `…/history/<id>/`) answer 404 for a record out
of scope, and a revert is a write like any other. Superusers are made with
`ketnghia createsuperuser`, never here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ImproperlyConfigured
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core import gate, scoping
from ketnghia.core.errors import Problem


class KetnghiaAdminSite(admin.AdminSite):
    site_header = gettext_lazy("ketnghia administration")
    site_title = gettext_lazy("ketnghia")

    def has_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Register only scoped admins; give those with history the scoped history views."""
        if admin_class is None or not issubclass(admin_class, ScopedModelAdmin):
            raise ImproperlyConfigured("every admin of ketnghia is a ScopedModelAdmin")
        if issubclass(admin_class, SimpleHistoryAdmin) and not issubclass(
            admin_class, ScopedHistoryMixin
        ):
            admin_class = type(admin_class.__name__, (ScopedHistoryMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self) -> list[Any]:
        # "View on site" redirects to a record's page: only for records the user may reach.
        return [
            path("r/<int:content_type_id>/<path:object_id>/", self.view_on_site_scoped),
            *super().get_urls(),
        ]

    def view_on_site_scoped(
        self, request: HttpRequest, content_type_id: int, object_id: str
    ) -> HttpResponse:
        if not self.has_permission(request):
            raise Http404
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model_admin = self._registry.get(content_type.model_class()) if content_type else None
        if (
            not isinstance(model_admin, ScopedModelAdmin)
            or not model_admin.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404
        return shortcut(request, content_type_id, object_id)


admin_site = KetnghiaAdminSite(name="admin")


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin whose rows, choices and writes are limited to the administrator's units.

    `unit_path_field` names the path of the unit each row belongs to ("path" for units,
    "unit__path" for records of a unit); None means the model is not tied to units (shared
    reference data such as programs and local standards). `forbidden_fields` are never
    written through the admin by a user who is not a superuser: the form leaves them out and
    a forged POST naming them is refused.
    """

    unit_path_field: str | None = None
    forbidden_fields: tuple[str, ...] = ()

    def _scope(self, request: HttpRequest) -> gate.UnitScope:
        return gate.scope_for(request.user, gate.Action.ADMINISTER)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.unit_path_field is None:
            return queryset
        return self._scope(request).filter(queryset, self.unit_path_field)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        """Return whether `obj` (a row, or a historical version of one) is the user's."""
        if obj is None or self.unit_path_field is None:
            return True
        scope = self._scope(request)
        if scope.everything:
            return True
        found = scoping.path_of(obj, self.unit_path_field)
        return found is not None and scope.contains_path(found)

    def _allowed(self, request: HttpRequest, obj: Any) -> bool:
        return gate.allows(request.user, "admin") and self.in_scope(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    # --- Choices: only what the administrator may reach --------------------------------

    def _related_admin(self, model: type[Model]) -> ScopedModelAdmin | None:
        related = self.admin_site._registry.get(model)
        if isinstance(related, ScopedModelAdmin) and related.unit_path_field is not None:
            return related
        return None

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related, ScopedModelAdmin) and "queryset" not in kwargs:
            kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Writes: checked on the form, then done by a service ---------------------------

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            excluded += [name for name in self.forbidden_fields if name not in excluded]
        return excluded or None

    def write_paths(self, request: HttpRequest, obj: Any) -> list[tuple[str, str | None]]:
        """Return the unit paths a write of `obj` touches, by field: its own and its links'."""
        paths: list[tuple[str, str | None]] = []
        if self.unit_path_field is not None:
            field = self.unit_path_field.split("__")[0]
            paths.append((field, scoping.path_of(obj, self.unit_path_field)))
        for field in obj._meta.concrete_fields:
            if not isinstance(field, ForeignKey) or getattr(obj, field.attname) is None:
                continue
            related = self._related_admin(field.related_model)
            if related is not None:
                linked = getattr(obj, field.name)
                paths.append((field.name, scoping.path_of(linked, related.unit_path_field)))
        return paths

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        """Return why the user may not write `obj` as the form left it (empty when they may)."""
        forged = (
            []
            if request.user.is_superuser
            else sorted(set(request.POST) & set(self.forbidden_fields))
        )
        problems = [
            Problem(
                _("You may not set “%(field)s”: only a superuser may, from the command line.")
                % {"field": name}
            )
            for name in forged
        ]
        stored = scoping.stored_version(obj)
        if stored is not None and not self.in_scope(request, stored):
            problems += scoping.administer_problems(actor=request.user, paths=[("", None)])
        return problems + scoping.administer_problems(
            actor=request.user, paths=self.write_paths(request, obj)
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class ScopedForm(form_class):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                shown = set()
                for problem in model_admin.write_problems(request, self.instance):
                    name = problem.location.field if problem.location.field in self.fields else None
                    if (name, problem.message) not in shown:
                        shown.add((name, problem.message))
                        self.add_error(name, str(problem.message))

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        """Write `obj` through its service; the generic one checks the scope of its links."""
        paths = self.write_paths(request, obj)
        stored = scoping.stored_version(obj)
        if stored is not None:
            paths += self.write_paths(request, stored)
        scoping.record_save(instance=obj, actor=request.user, paths=paths)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        self.save_record(request, obj, form, change)


class ScopedHistoryMixin:
    """simple-history's pages for records in scope only; anything else is not found (404)."""

    def _history_object_or_404(self, request: HttpRequest, object_id: str) -> None:
        admin_self: Any = self
        object_id = unquote(object_id)
        if admin_self.get_queryset(request).filter(pk=object_id).exists():
            return
        model = admin_self.model
        if model._default_manager.filter(pk=object_id).exists():
            raise Http404  # exists, but not the user's
        # A deleted record: its last version says whose it was.
        last = model.history.filter(**{model._meta.pk.attname: object_id}).first()
        if last is None or not admin_self.in_scope(request, last.instance):
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        self._history_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ):
        self._history_object_or_404(request, object_id)
        admin_self: Any = self
        model = admin_self.model
        version = model.history.filter(
            **{model._meta.pk.attname: unquote(object_id), "history_id": version_id}
        ).first()
        if version is None or not admin_self.in_scope(request, version.instance):
            raise Http404
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )
