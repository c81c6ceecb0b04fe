"""Form pieces shared by every app: the NHS.UK date input.

The NHS.UK design system asks for dates as three boxes (day, month, year) inside a fieldset,
not a date picker, and for specific error messages. `NHSDateField` does both; the `nhsuk`
crispy template pack (templates/nhsuk/) renders it as the NHS date input component:

    class ReviewForm(forms.Form):
        incident_date = NHSDateField(label="When did the incident happen?",
                                     help_text="For example, 15 3 2024")

    {% load crispy_forms_tags %}  ...  {{ form|crispy }}

Messages follow the NHS.UK/GOV.UK date input guidance. Pass `error_messages` to change them,
for example {"required": "Enter the date of the incident"}.
"""

import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError

DATE_PARTS = ("day", "month", "year")
_MONTH_NAMES = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}


class NHSDateInput(forms.MultiWidget):
    """Three text boxes, day, month and year, posted as `<name>_day`, `<name>_month`, `<name>_year`.

    Their ids are `<id>_day`, `<id>_month` and `<id>_year` (for example `id_incident_date_day`).

    The inputs use inputmode="numeric" (a number keypad on phones) rather than type="number".
    An `autocomplete` attribute such as "bday" becomes "bday-day", "bday-month", "bday-year".
    """

    #: (name, label, NHS input width) for each box, in the order shown.
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        autocomplete = context["widget"]["attrs"].get("autocomplete")
        for (part, label, width), subwidget in zip(
            self.parts, context["widget"]["subwidgets"], strict=True
        ):
            subwidget["part"] = part
            subwidget["label"] = label
            subwidget["width"] = width
            if base_id:
                # id_when_day rather than Django's id_when_0: readable, and like the names.
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
            if autocomplete:
                subwidget["attrs"]["autocomplete"] = f"{autocomplete}-{part}"
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""


class NHSDateField(forms.Field):
    """A date entered as day, month and year; cleans to a `datetime.date`.

    Accepts month names as well as numbers ("3", "03", "Mar", "March"), as GOV.UK advises.
    Errors carry the parts that are wrong in `params["parts"]`, so the template pack can
    highlight just those boxes and link the error summary to the first of them.
    """

    widget = NHSDateInput
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "Date must include a %(missing)s",
        "invalid": "Date must be a real date",
        "year_digits": "Year must include 4 numbers",
        "year_range": "Year must be between %(min_year)s and %(max_year)s",
    }
    # Nothing this service records happened before 1900, and a year like 0001 or 9999 breaks
    # the date arithmetic of reminders (OverflowError) instead of getting a message.
    min_year, max_year = 1900, 2999

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise self._error("invalid", DATE_PARTS) from None
        values = ["" if item is None else str(item).strip() for item in value]
        if len(values) != len(DATE_PARTS):
            raise self._error("invalid", DATE_PARTS)
        if not any(values):
            return None
        missing = [part for part, text in zip(DATE_PARTS, values, strict=True) if not text]
        if missing:
            raise self._error("incomplete", missing, missing=" and ".join(missing))
        day_text, month_text, year_text = values
        month = _MONTH_NAMES.get(month_text.lower()) if not month_text.isdigit() else None
        wrong = [
            part
            for part, text in (("day", day_text), ("month", month_text), ("year", year_text))
            if not (text.isascii() and text.isdigit()) and not (part == "month" and month)
        ]
        if wrong:
            raise self._error("invalid", wrong)
        if len(year_text) != 4:
            raise self._error("year_digits", ["year"])
        if not self.min_year <= int(year_text) <= self.max_year:
            raise self._error(
                "year_range", ["year"], min_year=self.min_year, max_year=self.max_year
            )
        try:
            return datetime.date(int(year_text), month or int(month_text), int(day_text))
        except (ValueError, OverflowError):  # 31 February, or a day of 40 digits
            raise self._error("invalid", DATE_PARTS) from None

    def _error(self, code, parts, **params):
        return ValidationError(
            self.error_messages[code], code=code, params={"parts": list(parts), **params}
        )


def posted(request):
    """The submitted data, or None for a GET.

    Not `request.POST or None`: a form submitted with nothing chosen has an empty POST, and
    must still be bound so the person sees what to fix.
    """
    return request.POST if request.method == "POST" else None
