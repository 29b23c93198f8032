"""The Django admin, open to province administrators through the gate, and only to their units.

A province administrator reads, adds, changes, reverts and deletes only the rows of their
province (`ScopedModelAdmin.unit_path_field`, or `scope_through` a link whose admin decides,
as a program's rules and targets follow the program). Every choice of a linked record —
foreign key or many-to-many, in a form or in a list filter — is limited to what the linked
model's admin shows (`ScopedModelAdmin.choices_for`), and every write goes through a service
that refuses the same things (`core.scoping`), so a forged form is refused beside the field.
The history pages of simple-history (`…/history/`, `…/history/<id>/`) answer 404 for a record
out of scope, and a revert is a write like any other. People's personal fields
(`personal_fields`) are shown through the personal-data door (`core.personal_data`): masked
unless the gate lets the user see them, and one disclosure row per page that showed them in
full. Superusers are made with `ketnghia createsuperuser`, never here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import BooleanField, DateField, ForeignKey, Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ketnghia.core import gate, scoping
from ketnghia.core.errors import Location, Problem
from ketnghia.core.personal_data import Disclosure, Kind, disclosure_open

# The registered output of every admin page that can carry a personal field (core/disclosures.py).
ADMIN_OUTPUT = "core.admin_pages"
# Where the door of the admin page being served waits for the form and the history helper.
_DOOR = "_ketnghia_admin_door"


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


def _outside_message() -> str:
    return _("This is outside your jurisdiction: you may only choose units of it.")


class ScopedRelatedFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """A "by <link>" filter offering only the linked rows of the rows the user sees.

    Django's own lists every row of the linked model: another province's programs by name.
    """


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """A filter on a value across a link ("program__code"), read from the rows the user sees.

    Django reads such values from every row of the linked model, not through the admin.
    """

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: Any,
        model: Any,
        model_admin: Any,
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .distinct()
            .order_by(field_path)
            .values_list(field_path, flat=True)
        )


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin whose rows, choices and writes are limited to the administrator's units.

    `unit_path_field` names the path of the unit each row belongs to ("path" for units,
    "unit__path" for records of a unit); None means the model is not tied to units (shared
    reference data such as local standards), unless `scope_through` names a link (a foreign
    key) whose own admin decides: a program's rules are the administrator's when the program
    is. `forbidden_fields` are never written through the admin by a user who is not a
    superuser: the form leaves them out and a forged POST naming them is refused.
    `personal_fields` are people's personal data (field → kind), shown through the door.
    """

    unit_path_field: str | None = None
    scope_through: str | None = None
    forbidden_fields: tuple[str, ...] = ()
    personal_fields: ClassVar[dict[str, Kind]] = {}

    def _scope(self, request: HttpRequest) -> gate.UnitScope:
        return gate.scope_for(request.user, gate.Action.ADMINISTER)

    def _through_admin(self) -> ScopedModelAdmin:
        assert self.scope_through is not None
        model = self.model._meta.get_field(self.scope_through).related_model
        related = self.admin_site._registry.get(model)
        if not isinstance(related, ScopedModelAdmin):
            raise ImproperlyConfigured(f"{self.scope_through} leads to no scoped admin")
        return related

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.scope_through is not None:
            linked = self._through_admin().get_queryset(request)
            return queryset.filter(**{f"{self.scope_through}__in": linked})
        if self.unit_path_field is None:
            return queryset
        return self._scope(request).filter(queryset, self.unit_path_field)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        """Return whether `obj` (a row, or a historical version of one) is the user's."""
        if obj is None:
            return True
        if self.scope_through is not None:
            try:
                linked = getattr(obj, self.scope_through)
            except ObjectDoesNotExist:
                return self._scope(request).everything
            return linked is not None and self._through_admin().in_scope(request, linked)
        if self.unit_path_field is None:
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

    def choices_for(self, model: type[Model], request: HttpRequest) -> QuerySet[Any] | None:
        """Return the rows of `model` the user may link to (None: not tied to units).

        The rows its admin shows; for a model without an admin whose rows carry a
        `unit_path` (households), those inside the administrator's scope.
        """
        related = self.admin_site._registry.get(model)
        if isinstance(related, ScopedModelAdmin):
            return related.get_queryset(request)
        if any(field.name == "unit_path" for field in model._meta.concrete_fields):
            return self._scope(request).filter(model._default_manager.all(), "unit_path")
        return None

    def may_link(self, request: HttpRequest, model: type[Model], obj: Any) -> bool:
        """Return whether the user may link a record to `obj`, a row of `model`."""
        related = self.admin_site._registry.get(model)
        if isinstance(related, ScopedModelAdmin):
            return related.in_scope(request, obj)
        choices = self.choices_for(model, request)
        return choices is None or choices.filter(pk=obj.pk).exists()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            choices = self.choices_for(db_field.related_model, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # As a foreign key: a forged id of another province is "not one of the choices".
        if "queryset" not in kwargs:
            choices = self.choices_for(db_field.related_model, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Every "by <link>" filter offers only what the user's rows link to."""
        scoped: list[Any] = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if field.is_relation:
                    entry = (entry, ScopedRelatedFieldListFilter)
                elif "__" in entry and not (
                    field.choices or isinstance(field, BooleanField | DateField)
                ):
                    entry = (entry, ScopedAllValuesFieldListFilter)
            scoped.append(entry)
        return scoped

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

    def link_problems(
        self, request: HttpRequest, obj: Any, chosen: dict[str, Iterable[Any]]
    ) -> list[Problem]:
        """Return a problem for each link of `obj` the user may not make.

        Foreign keys to records scoped otherwise than by a unit path (a program: by its
        communes), and `chosen`, the rows picked for each many-to-many field, however scoped.
        Links by unit path are `write_paths`'.
        """
        problems = []
        for field in obj._meta.concrete_fields:
            if not isinstance(field, ForeignKey) or getattr(obj, field.attname) is None:
                continue
            related = self.admin_site._registry.get(field.related_model)
            if (
                isinstance(related, ScopedModelAdmin)
                and related.unit_path_field is None
                and not related.in_scope(request, getattr(obj, field.name))
            ):
                problems.append(Problem(_outside_message(), Location(field=field.name)))
        for name, rows in chosen.items():
            model = obj._meta.get_field(name).related_model
            if any(not self.may_link(request, model, row) for row in rows):
                problems.append(Problem(_outside_message(), Location(field=name)))
        return problems

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
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                self.masked_fields = model_admin.show_personal_fields(request, self)

            def clean(self) -> Any:
                cleaned = super().clean()
                # A masked value stays out of the record: the stored one is kept.
                for name in self.masked_fields:
                    self.cleaned_data.pop(name, None)
                return cleaned

            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                chosen = {
                    name: self.cleaned_data.get(name) or []
                    for name in self.fields
                    if name in {field.name for field in model_admin.opts.many_to_many}
                }
                shown = set()
                for problem in [
                    *model_admin.write_problems(request, self.instance),
                    *model_admin.link_problems(request, self.instance, chosen),
                ]:
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

    # --- Personal data: through the door, logged when shown in full --------------------

    def personal_path(self, obj: Any) -> str:
        """Return the unit path the gate decides `obj`'s personal data by."""
        if self.unit_path_field is None:
            return ""
        return scoping.path_of(obj, self.unit_path_field) or ""

    def serve_with_door(self, request: HttpRequest, view: Callable[[], Any]) -> Any:
        """Serve `view()` with the door open; it logs once if the page is served (200).

        A page not served (a saved form redirects, a refusal) showed nothing: no row.
        """
        if not self.personal_fields or self._door(request) is not None:
            return view()
        door = disclosure_open(user=request.user, output=ADMIN_OUTPUT, detail=self.opts.label)
        setattr(request, _DOOR, door)
        try:
            response = view()
        except BaseException:
            door.discard()
            raise
        finally:
            delattr(request, _DOOR)
        if response.status_code == 200:
            door.close()
        else:
            door.discard()
        return response

    def _door(self, request: HttpRequest) -> Disclosure | None:
        return getattr(request, _DOOR, None)

    def show_personal_fields(self, request: HttpRequest, form: Any) -> set[str]:
        """Put each personal field of `form`'s record through the door; return those masked.

        Shown in full, the value is the door's and counted for its log row; masked, the field
        is read only and its value never written back.
        """
        instance = form.instance
        names = [name for name in self.personal_fields if name in form.fields]
        if not names or instance.pk is None:
            return set()
        door = self._door(request)
        if door is None:
            # A form built outside the admin's pages (a test, a shell): it logs on its own.
            with disclosure_open(
                user=request.user, output=ADMIN_OUTPUT, detail=self.opts.label
            ) as door:
                return self._show_fields(door, form, names)
        return self._show_fields(door, form, names)

    def _show_fields(self, door: Disclosure, form: Any, names: list[str]) -> set[str]:
        instance = form.instance
        path = self.personal_path(instance)
        full = door.may_see(path)
        door.unit_path = door.unit_path or path
        for name in names:
            form.initial[name] = door.show(
                getattr(instance, name),
                kind=self.personal_fields[name],
                path=path,
                subject=f"{self.opts.label}:{instance.pk}",
            )
        if full:
            return set()
        for name in names:
            form.fields[name].disabled = True
            form.fields[name].required = False
        return set(names)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        view = super().changeform_view
        return self.serve_with_door(
            request, lambda: view(request, object_id, form_url, extra_context)
        )


class _PersonalDeltaHelper(HistoricalRecordContextHelper):
    """A history list's "old → new" of a personal field, through the page's door."""

    def __init__(self, model: Any, record: Any, *, model_admin: ScopedModelAdmin, door: Any):
        super().__init__(model, record)
        self.model_admin = model_admin
        self.door = door

    def format_delta_change(self, change: Any) -> Any:
        kind = self.model_admin.personal_fields.get(change.field)
        if kind is not None:
            path = self.model_admin.personal_path(self.record.instance)
            self.door.unit_path = self.door.unit_path or path
            subject = f"{self.model_admin.opts.label}:{self.record.instance.pk}"
            change = dataclasses.replace(
                change,
                old=self.door.show(change.old, kind=kind, path=path, subject=subject),
                new=self.door.show(change.new, kind=kind, path=path, subject=subject),
            )
        return super().format_delta_change(change)


class ScopedHistoryMixin:
    """simple-history's pages for records in scope only; anything else is not found (404).

    Personal fields in a version (the revert form) or a change ("old → new") pass the door.
    """

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

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any):
        admin_self: Any = self
        door = admin_self._door(request)
        if door is None:
            return super().get_historical_record_context_helper(  # type: ignore[misc]
                request, historical_record
            )
        return _PersonalDeltaHelper(
            admin_self.model, historical_record, model_admin=admin_self, door=door
        )

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        self._history_object_or_404(request, object_id)
        admin_self: Any = self
        view = super().history_view  # type: ignore[misc]
        return admin_self.serve_with_door(request, lambda: view(request, object_id, extra_context))

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
        view = super().history_form_view  # type: ignore[misc]
        return admin_self.serve_with_door(
            request, lambda: view(request, object_id, version_id, extra_context)
        )
