"""The administration site behind the confidentiality wall.

Every ModelAdmin registered on the site gets `WallAdmin`'s behaviour (`WallAdminSite.register`
mixes it in), so an admin added later, or one from a library, is covered without anyone
remembering to:

- No lookup, filter, search, ordering or form field reaches wall-protected text
  (`WALL_PROTECTED_FIELDS`), on the model itself or through any relation: the changelist answers
  400 (Django's `DisallowedModelAdminLookup`) and the refusal is audited. System checks refuse an
  admin whose options name such a field.
- No lookup on a field the admin does not show either: a hidden field is not an oracle.
- Every page that shows records is audited as the team's pages are: lists (the query with typed
  text withheld, how many matched and the ids shown), change, history and delete pages, and
  every addition, change and deletion made here.
"""

from django.contrib import admin
from django.contrib.admin import helpers, widgets
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views import main as changelist
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP

from peersupport import audit

# Free text the administration site never filters, searches, sorts, lists or shows, by model
# label. The contact note is the confidentiality wall itself; a concern's details and action are
# read only on the team's audited concern page; a supervisor's follow-up to a wellbeing check-in
# is about the supporter's own wellbeing, read only by their supervisors; a survey's free-text
# answers are unnamed, and a lookup joined to the invitation would name them.
WALL_PROTECTED_FIELDS = {
    "supporters.contact": frozenset({"note"}),
    "supporters.concern": frozenset({"details", "action_taken"}),
    "supporters.wellbeingcheckin": frozenset({"follow_up"}),
    "feedback.answer": frozenset({"text"}),
}

# The changelist's own parameters (page, ordering, popups...): no lookup, and no typed text.
CONTROL_PARAMS = {
    changelist.ALL_VAR,
    changelist.ORDER_VAR,
    changelist.PAGE_VAR,
    changelist.ERROR_FLAG,
    changelist.IS_POPUP_VAR,
    changelist.TO_FIELD_VAR,
    changelist.IS_FACETS_VAR,
}
WITHHELD = "(withheld)"


def is_wall_protected(field) -> bool:
    """True for a field holding wall-protected text, on its model or its history model."""
    if field.is_relation:
        return False
    model = getattr(field, "model", None)
    if model is None:
        return False
    model = getattr(model, "instance_type", model)  # django-simple-history's copies
    return field.name in WALL_PROTECTED_FIELDS.get(model._meta.label_lower, ())


def lookup_fields(model, lookup: str) -> list:
    """The fields a lookup path passes through, up to its first non-relation field (what
    follows is a transform or a lookup: `__startswith`, `__regex`, `__isnull`...)."""
    fields = []
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        fields.append(field)
        if not getattr(field, "path_infos", None):
            break
        model = field.path_infos[-1].to_opts.model
    return fields


def crosses_the_wall(model, lookup: str) -> bool:
    return any(is_wall_protected(field) for field in lookup_fields(model, lookup))


def _option_paths(model_admin) -> dict[str, list[str]]:
    """Every field path an admin's options name, by option."""

    def names(values):
        return [v for v in values or () if isinstance(v, str)]

    def option(name):
        return getattr(model_admin, name, None) or ()

    prepopulated = dict(option("prepopulated_fields"))
    paths = {
        name: names(option(name))
        for name in (
            "list_display",
            "list_display_links",
            "list_editable",
            "sortable_by",
            "readonly_fields",
            "raw_id_fields",
            "autocomplete_fields",
            "filter_horizontal",
            "filter_vertical",
            "radio_fields",
        )
    }
    paths["search_fields"] = [s.lstrip("^=@") for s in names(option("search_fields"))]
    paths["ordering"] = [o.lstrip("-") for o in names(option("ordering"))]
    paths["date_hierarchy"] = names([getattr(model_admin, "date_hierarchy", None)])
    paths["fields"] = names(flatten_fieldsets([(None, {"fields": option("fields")})]))
    paths["fieldsets"] = names(flatten_fieldsets(option("fieldsets")))
    paths["prepopulated_fields"] = names(
        [*prepopulated, *(v for vs in prepopulated.values() for v in vs)]
    )
    filters = []
    for item in option("list_filter"):
        if isinstance(item, str):
            filters.append(item)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            filters.append(item[0])
    paths["list_filter"] = filters
    # A column computed by the admin may still sort by a model field.
    order_by = []
    for name in option("list_display"):
        column = getattr(model_admin, name, None) if isinstance(name, str) else name
        target = getattr(column, "admin_order_field", None)
        if isinstance(target, str):
            order_by.append(target.lstrip("-"))
    paths["admin_order_field"] = order_by
    return paths


def wall_errors(model_admin) -> list[checks.Error]:
    """System check: no option of this admin (or of its inlines) names wall-protected text,
    and the change form of a model holding some names its fields explicitly."""
    model = model_admin.model
    where = f"{type(model_admin).__qualname__} ({model._meta.label})"
    errors = [
        checks.Error(
            f"{where}: {option} names '{path}', which is behind the confidentiality wall.",
            hint="Remove it: the administration site never filters, searches, sorts or shows "
            "wall-protected text (peersupport.admin_wall.WALL_PROTECTED_FIELDS).",
            obj=type(model_admin),
            id="peersupport.E101",
        )
        for option, paths in _option_paths(model_admin).items()
        for path in paths
        if crosses_the_wall(model, path)
    ]
    protected = WALL_PROTECTED_FIELDS.get(model._meta.label_lower, frozenset())
    excluded = set(model_admin.exclude or ())
    declared = model_admin.fields is not None or model_admin.fieldsets is not None
    if protected - excluded and not declared:
        errors.append(
            checks.Error(
                f"{where}: the change form would show {sorted(protected - excluded)}.",
                hint="Declare `fields` or `fieldsets` without them, or list them in `exclude`.",
                obj=type(model_admin),
                id="peersupport.E102",
            )
        )
    for inline in getattr(model_admin, "inlines", ()):
        errors.extend(wall_errors(inline(model, model_admin.admin_site)))
    return errors


class WallAdmin:
    """Mixed into every ModelAdmin on the site (see the module docstring), ahead of the admin's
    own class. An admin may set `audit_name`, the record's name in audit actions (default the
    model's: `person.viewed`), and `audit_views = False` for pages of the service's
    configuration, which show nothing about a person. Neither has a default here, or it would
    hide the admin's own."""

    @property
    def audits_views(self) -> bool:
        return getattr(self, "audit_views", True)

    # Lookups ------------------------------------------------------------------------------------

    def lookup_allowed(self, lookup, value, request=None):
        fields = lookup_fields(self.model, lookup)
        if any(is_wall_protected(field) for field in fields):
            return False
        if (
            fields
            and not fields[0].primary_key
            and fields[0].name not in self.shown_field_names(request)
            and not self._popup_lookup(lookup, value)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request, to_field):
        if crosses_the_wall(self.model, to_field):
            return False
        return super().to_field_allowed(request, to_field)

    def _popup_lookup(self, lookup, value) -> bool:
        """Django's own lookups for a related-object popup (a foreign key's limit_choices_to)."""
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def shown_field_names(self, request) -> set[str]:
        """The model's fields this admin shows, filters or searches on: the only ones a lookup
        may start from."""
        names = {self.model._meta.pk.name}
        paths = _option_paths(self)
        if request is not None:
            paths["list_display"] = [
                n for n in self.get_list_display(request) if isinstance(n, str)
            ]
            paths["form"] = [
                n for n in flatten_fieldsets(self.get_fieldsets(request)) if isinstance(n, str)
            ]
            paths["form_readonly"] = [
                n for n in self.get_readonly_fields(request) if isinstance(n, str)
            ]
        for option_paths in paths.values():
            names.update(path.split(LOOKUP_SEP)[0] for path in option_paths)
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            parameter = getattr(item, "parameter_name", None)
            if parameter:
                names.add(parameter)
        return names

    def check(self, **kwargs):
        return [*super().check(**kwargs), *wall_errors(self)]

    # Audit --------------------------------------------------------------------------------------

    def _audit_action(self, verb: str) -> str:
        return f"{getattr(self, 'audit_name', None) or self.model._meta.model_name}.{verb}"

    def _audited_query(self, request) -> dict:
        """The changelist's query, with anything typed (a search, a text value) withheld."""
        query = {}
        for key, values in request.GET.lists():
            value = ",".join(values)[:100]
            if key in CONTROL_PARAMS:
                query[key] = value
            elif key == changelist.SEARCH_VAR:
                query[key] = WITHHELD if value else ""
            else:
                query[key] = value if self._typed_safely(key, value) else WITHHELD
        return query

    def _typed_safely(self, key, value) -> bool:
        """A value that cannot be free text: an id, a choice, a number, a date, a yes/no. Digits
        typed into a text field (a phone number) are text."""
        if key.endswith(LOOKUP_SEP + "isnull"):
            return True
        fields = lookup_fields(self.model, key)
        if not fields:
            return value.replace(",", "").isdigit()
        field = fields[-1]
        if field.is_relation or field.choices:
            return True
        return not isinstance(field, (models.CharField, models.TextField, models.JSONField))

    def _record_view(self, request, response, page, object_id):
        if not self.audits_views or response.status_code != 200:
            return response
        context = getattr(response, "context_data", None) or {}
        shown = context.get("original") or context.get("object")
        if not isinstance(shown, models.Model):  # a page rendered without a TemplateResponse
            shown = self.get_object(request, unquote(object_id))
        if shown is not None:
            audit.record(self._audit_action("viewed"), request=request, obj=shown, page=page)
        return response

    def changelist_view(self, request, extra_context=None):
        try:
            response = super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup:
            refused = sorted(
                key[:100]
                for key, value in request.GET.items()
                if key not in CONTROL_PARAMS and not self.lookup_allowed(key, value, request)
            )
            audit.record(
                "admin.lookup_refused",
                request=request,
                model=self.model._meta.label_lower,
                lookups=refused,
            )
            raise
        if not self.audits_views:
            return response
        listing = (getattr(response, "context_data", None) or {}).get("cl")
        if listing is not None:
            audit.record(
                self._audit_action("listed"),
                request=request,
                page="admin:changelist",
                query=self._audited_query(request),
                count=listing.result_count,
                ids=[row.pk for row in listing.result_list],
            )
        elif request.method == "POST" and request.POST.get("action"):
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            audit.record(
                self._audit_action("action"),
                request=request,
                page="admin:changelist",
                name=request.POST["action"][:100],
                ids="all"
                if request.POST.get("select_across") == "1"
                else [int(pk) for pk in selected if pk.isdigit()],
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._record_view(request, response, "admin:change", object_id)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._record_view(request, response, "admin:history", object_id)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version of the record (django-simple-history's page)."""
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self._record_view(request, response, "admin:history_version", object_id)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self._record_view(request, response, "admin:delete", object_id)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if self.audits_views:
            audit.record(self._audit_action("added"), request=request, obj=obj, page="admin")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if self.audits_views:
            changed = [
                name
                for part in message or ()
                if isinstance(part, dict)
                for name in part.get("changed", {}).get("fields", ())
            ]
            audit.record(
                self._audit_action("changed"),
                request=request,
                obj=obj,
                page="admin",
                **({"fields": changed} if changed else {}),
            )
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        if self.audits_views:
            for obj in objects:
                audit.record(self._audit_action("deleted"), request=request, obj=obj, page="admin")
        return entries


def behind_the_wall(admin_class):
    """`admin_class` with WallAdmin's behaviour first in its method order."""
    if issubclass(admin_class, WallAdmin):
        return admin_class
    return type(
        admin_class.__name__,
        (WallAdmin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class WallAdminSite(admin.AdminSite):
    """The project's admin site (peersupport.admin_apps): every registration is put behind
    the wall, the project's own admins and those of libraries (allauth, auth) alike."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = behind_the_wall(admin_class or admin.ModelAdmin)
        return super().register(model_or_iterable, admin_class, **options)


@checks.register(checks.Tags.admin)
def every_admin_is_behind_the_wall(app_configs=None, **kwargs):
    """Every registered admin has WallAdmin's lookups and audit, whatever site it is on."""
    from django.contrib.admin.sites import all_sites

    return [
        checks.Error(
            f"{type(model_admin).__qualname__} ({model._meta.label}) is not behind the wall.",
            hint="Register it on the project's admin site (peersupport.admin_wall.WallAdminSite) "
            "or subclass peersupport.admin_wall.WallAdmin.",
            obj=type(model_admin),
            id="peersupport.E100",
        )
        for site in all_sites
        for model, model_admin in site._registry.items()
        if not isinstance(model_admin, WallAdmin)
    ]
