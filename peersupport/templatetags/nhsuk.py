"""Template helpers for the NHS.UK layout (templates/base.html) and the `nhsuk` crispy pack.

The pack's templates live in templates/nhsuk/. They stay readable because the decisions that
are awkward in the template language are made here:

* `field|nhsuk_field:form_show_errors` describes one bound field: which NHS component renders
  it (`kind`), the ids of its hint and error message, what `aria-describedby` should say, the
  id the error summary links to, whether it is optional, and its options or date boxes;
* `{% nhsuk_widget field info "nhsuk-input" "nhsuk-input--error" %}` renders Django's own
  widget with the NHS classes and ARIA attributes added and placeholder/required removed;
* `form|nhsuk_error_summary` lists a form's errors, each with the link to its field;
* `field|is_radio`, `is_checkbox`, `is_checkboxes`, `is_date`, `is_select`, `is_textarea`
  are shortcuts for `nhsuk_kind`.
"""

import re

from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField

from peersupport.forms import NHSDateInput

register = template.Library()

_BUTTON_VARIANTS = {
    "danger": "nhsuk-button--warning",
    "delete": "nhsuk-button--warning",
    "secondary": "nhsuk-button--secondary",
    "outline": "nhsuk-button--secondary",
    "link": "nhsuk-button--secondary",
    "cancel": "nhsuk-button--secondary",
}


@register.filter
def nhsuk_kind(field) -> str:
    """Which NHS.UK component renders this field.

    One of: hidden, date, radios, checkboxes, checkbox (a single yes/no box), select,
    textarea, file, multi (another multi-part widget), input (text, email, number, tel,
    password, url, search...).
    """
    if not isinstance(field, BoundField):
        return ""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, NHSDateInput):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.MultiWidget):
        return "multi"
    return "input"


@register.filter
def is_radio(field) -> bool:
    return nhsuk_kind(field) == "radios"


@register.filter
def is_checkbox(field) -> bool:
    """A single checkbox (a BooleanField)."""
    return nhsuk_kind(field) == "checkbox"


@register.filter
def is_checkboxes(field) -> bool:
    """Several checkboxes (a multiple choice field with CheckboxSelectMultiple)."""
    return nhsuk_kind(field) == "checkboxes"


@register.filter
def is_date(field) -> bool:
    return nhsuk_kind(field) == "date"


@register.filter
def is_select(field) -> bool:
    return nhsuk_kind(field) == "select"


@register.filter
def is_textarea(field) -> bool:
    return nhsuk_kind(field) == "textarea"


def _required_message(field: BoundField, kind: str) -> str:
    """An NHS-style message in place of Django's generic "This field is required."

    "Enter full name", "Select service"; a label that is a question gets "Enter an answer" or
    "Select an answer". Forms that set their own `error_messages["required"]` keep theirs.
    """
    verb = {"radios": "Select", "checkboxes": "Select", "select": "Select", "file": "Upload"}.get(
        kind, "Enter"
    )
    if kind == "checkbox":
        return "Select the box to continue"
    label = re.sub(r"\s*\(optional\)\s*$", "", str(field.label or "")).strip().rstrip(":")
    if not label or label.endswith("?"):
        return f"{verb} an answer"
    first, _, rest = label.partition(" ")
    if first[1:].islower() or len(first) == 1:
        first = first[0].lower() + first[1:]
    return " ".join(part for part in (verb, first, rest) if part)


def _messages(field: BoundField, kind: str) -> list[str]:
    generic = str(forms.Field.default_error_messages["required"])
    return [
        _required_message(field, kind) if kind != "hidden" and str(error) == generic else str(error)
        for error in field.errors
    ]


def _base_id(field: BoundField) -> str:
    return field.field.widget.attrs.get("id") or field.auto_id or field.html_name


def _show_errors(show_errors) -> bool:
    # An unset template variable arrives as "" (string_if_invalid): show errors by default.
    return show_errors is not False


def _choices(field: BoundField) -> list[dict]:
    options = []
    for subwidget in field.subwidgets:
        data = subwidget.data
        value = data["value"]
        if value is None or str(value) == "":
            # The "---------" blank choice of optional model fields: an NHS radio group
            # never offers it.
            continue
        attrs = data.get("attrs", {})
        options.append(
            {
                "id": attrs.get("id") or subwidget.id_for_label,
                "name": data["name"],
                "value": str(value),
                "label": data["label"],
                "checked": bool(data.get("selected")),
                "disabled": bool(attrs.get("disabled")),
            }
        )
    return options


def _date_error_parts(field: BoundField) -> set[str]:
    parts: set[str] = set()
    for error in field.errors.as_data():
        named = (error.params or {}).get("parts") if hasattr(error, "params") else None
        parts.update(named or ("day", "month", "year"))
    return parts


def _date_parts(field: BoundField, has_errors: bool) -> list[dict]:
    widget = field.field.widget
    error_parts = _date_error_parts(field) if has_errors else set()
    context = widget.get_context(field.html_name, field.value(), {"id": _base_id(field)})
    parts = []
    for subwidget in context["widget"]["subwidgets"]:
        attrs = subwidget["attrs"]
        value = subwidget["value"]
        parts.append(
            {
                "part": subwidget["part"],
                "label": subwidget["label"],
                "width": subwidget["width"],
                "id": attrs.get("id", ""),
                "name": subwidget["name"],
                "value": "" if value is None else value,
                "autocomplete": attrs.get("autocomplete", ""),
                "disabled": bool(attrs.get("disabled")) or field.field.disabled,
                "error": subwidget["part"] in error_parts,
            }
        )
    return parts


@register.filter
def nhsuk_field(field, show_errors=True) -> dict:
    """Everything the pack's field template needs to know about one bound field."""
    kind = nhsuk_kind(field)
    base_id = _base_id(field)
    has_errors = bool(_show_errors(show_errors) and field.errors)
    hint_id = f"{base_id}-hint" if field.help_text else ""
    error_id = f"{base_id}-error" if has_errors else ""
    info = {
        "kind": kind,
        "id": base_id,
        "hint_id": hint_id,
        "error_id": error_id,
        "has_errors": has_errors,
        "errors": _messages(field, kind) if has_errors else [],
        "describedby": " ".join(i for i in (hint_id, error_id) if i),
        # Say "(optional)" after the label, unless the label already says so.
        "optional": not field.field.required
        and kind not in ("checkbox", "hidden")
        and "(optional)" not in str(field.label or "").lower(),
        "anchor": field.id_for_label or base_id,
        "options": [],
        "date_parts": [],
    }
    if kind in ("radios", "checkboxes"):
        info["options"] = _choices(field)
        if info["options"]:
            info["anchor"] = info["options"][0]["id"]
    elif kind == "date":
        info["date_parts"] = _date_parts(field, has_errors)
        wrong = [part for part in info["date_parts"] if part["error"]]
        info["anchor"] = (wrong or info["date_parts"])[0]["id"]
    elif kind == "multi":
        info["anchor"] = f"{base_id}_0"
    return info


@register.simple_tag
def nhsuk_widget(field, info, css_class="", error_class=""):
    """Render the field's own Django widget with NHS classes and ARIA attributes.

    Keeps the widget's attributes (type, autocomplete, inputmode, spellcheck, its own
    classes such as nhsuk-input--width-10) but drops `placeholder`, which the NHS.UK design
    system says not to use, and `required`: the service validates on the server and shows
    NHS error messages, and optional fields say "(optional)" instead.
    """
    widget = field.field.widget
    classes = [css_class]
    if info.get("has_errors"):
        classes.append(error_class)
    classes.extend(widget.attrs.get("class", "").split())
    attrs = {"class": " ".join(dict.fromkeys(c for c in classes if c))}
    if info.get("describedby"):
        attrs["aria-describedby"] = info["describedby"]
    attrs = field.build_widget_attrs(attrs, widget)
    attrs["required"] = False
    attrs["placeholder"] = False
    if not info.get("has_errors"):
        attrs.pop("aria-invalid", None)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if field.field.localize:
        widget.is_localized = True
    return widget.render(
        name=field.html_name, value=field.value(), attrs=attrs, renderer=field.form.renderer
    )


@register.filter
def nhsuk_error_summary(form) -> list[dict]:
    """The errors of a form in page order, each {"text", "href"} for the error summary.

    Errors that belong to no field (or to a hidden field) link to the first visible field.
    """
    if form is None or not getattr(form, "errors", None):
        return []
    visible = [bound for bound in form if not bound.is_hidden]
    first = f"#{nhsuk_field(visible[0])['anchor']}" if visible else ""
    items = [{"text": error, "href": first} for error in form.non_field_errors()]
    for bound in form:
        if not bound.errors:
            continue
        info = nhsuk_field(bound)
        href = first if bound.is_hidden else f"#{info['anchor']}"
        items.extend({"text": error, "href": href} for error in info["errors"])
    return items


@register.filter
def nhsuk_formset_error_summary(formset) -> list[dict]:
    items = []
    first_form = next(iter(formset.forms), None)
    first_href = ""
    if first_form is not None:
        visible = [bound for bound in first_form if not bound.is_hidden]
        first_href = f"#{nhsuk_field(visible[0])['anchor']}" if visible else ""
    items.extend({"text": error, "href": first_href} for error in formset.non_form_errors())
    for form in formset.forms:
        items.extend(nhsuk_error_summary(form))
    return items


@register.filter
def nhsuk_button_classes(crispy_input) -> str:
    """NHS classes for a crispy Submit/Button/Reset (dropping crispy's Bootstrap defaults)."""
    classes = ["nhsuk-button"]
    if getattr(crispy_input, "input_type", "submit") != "submit":
        classes.append("nhsuk-button--secondary")
    classes.extend(
        c for c in getattr(crispy_input, "field_classes", "").split() if not c.startswith("btn")
    )
    return " ".join(dict.fromkeys(classes))


@register.filter
def nhsuk_button_variant(tags) -> str:
    """The NHS button modifier for django-allauth's element tags ("danger", "secondary"...)."""
    for tag in tags or ():
        if tag in _BUTTON_VARIANTS:
            return _BUTTON_VARIANTS[tag]
    return ""


@register.filter
def nhsuk_nav_current(url, path) -> str:
    """aria-current for a header link: "page" on that page, "true" anywhere below it."""
    if not url or not path:
        return ""
    if path == url:
        return "page"
    if url != "/" and url.endswith("/") and path.startswith(url):
        return "true"
    return ""


@register.filter(is_safe=True)
def nhsuk_squash(text) -> str:
    """Collapse runs of whitespace (for <title>, which allauth fills with indented blocks)."""
    return re.sub(r"\s+", " ", str(text)).strip()


@register.filter(is_safe=True)
def nhsuk_page_title(text) -> str:
    """The <title>: whitespace squashed, and no dangling dash when a page sets no title."""
    return re.sub(r"^(Error: )?– ", r"\1", nhsuk_squash(text))


@register.simple_tag
def nhsuk_service_name() -> str:
    """The service name without a request (500.html is rendered with an empty context)."""
    return settings.SERVICE_NAME
