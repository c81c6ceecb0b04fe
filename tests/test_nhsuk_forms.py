"""The NHS.UK layer: the `nhsuk` crispy-forms pack, NHSDateField, error pages, allauth pages.

Forms are rendered through `{{ form|crispy }}` / `{% crispy form %}` and the HTML is parsed,
so each test pins down specific NHS.UK markup (classes, ids, ARIA links) rather than snapshots.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.template.loader import get_template

from peersupport.forms import NHSDateField, NHSDateInput

BASE_DIR = Path(settings.BASE_DIR)


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {name: (value if value is not None else "") for name, value in attrs}
        self.parent = parent
        self.children = []
        self.content = []  # text and child elements, in document order

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        parts = [item if isinstance(item, str) else item.text for item in self.content]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def ancestors(self):
        node = self.parent
        while node is not None and node.tag != "#root":
            yield node
            node = node.parent

    def find_all(self, predicate):
        for child in self.children:
            if predicate(child):
                yield child
            yield from child.find_all(predicate)


class Page(HTMLParser):
    """A small DOM: enough to ask "which label is for this input" or "what is inside".."""

    VOID = {"input", "br", "hr", "img", "meta", "link", "source", "col", "area", "base", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.current = self.root
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.content.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.content.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)

    def all(self, tag=None, cls=None, **attrs):
        def match(element):
            if tag and element.tag != tag:
                return False
            if cls and cls not in element.classes:
                return False
            return all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())

        return list(self.root.find_all(match))

    def one(self, tag=None, cls=None, **attrs):
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, element_id):
        return self.one(id=element_id)

    def label_for(self, element_id):
        return self.one("label", **{"for": element_id})

    def title(self) -> str:
        """The page <title> (not the <title> inside the NHS logo's SVG)."""
        head = self.one("head")
        return next(head.find_all(lambda e: e.tag == "title")).text


class EveryKindForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        help_text="As you would like us to write it",
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Jo Bloggs"}),
    )
    email = forms.EmailField(label="Email address", required=False)
    phone = forms.CharField(
        label="Phone number", required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    contacts = forms.IntegerField(label="Number of contacts")
    secret = forms.CharField(label="Password", widget=forms.PasswordInput)
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    service = forms.ChoiceField(
        label="Service", choices=[("", "Choose a service"), ("mh", "Mental health"), ("ae", "A&E")]
    )
    contact_by = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("phone", "Phone"), ("email", "Email"), ("letter", "Letter")],
        widget=forms.RadioSelect,
        help_text="Choose one",
    )
    topics = forms.MultipleChoiceField(
        label="What did you talk about?",
        choices=[("process", "The review process"), ("feelings", "How they are feeling")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(
        label="I agree to be contacted about peer support", help_text="You can change your mind"
    )
    incident_date = NHSDateField(label="Date of the incident", help_text="For example, 27 3 2024")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_name") == "clash":
            raise forms.ValidationError("This person is already recorded on the review")
        return cleaned


VALID = {
    "full_name": "Jo Bloggs",
    "contacts": "2",
    "secret": "pw",
    "service": "mh",
    "contact_by": "email",
    "consent": "on",
    "incident_date_day": "27",
    "incident_date_month": "3",
    "incident_date_year": "2024",
}


def render(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def page_for(form) -> Page:
    return Page(render(form))


# --- labels, hints, inputs ------------------------------------------------------------------


def test_each_text_like_field_has_an_nhs_label_tied_to_its_input():
    page = page_for(EveryKindForm())
    for field_id, input_type in [
        ("id_full_name", "text"),
        ("id_email", "email"),
        ("id_phone", "tel"),
        ("id_contacts", "number"),
        ("id_secret", "password"),
    ]:
        control = page.by_id(field_id)
        assert control.tag == "input"
        assert control.attrs["type"] == input_type
        assert "nhsuk-input" in control.classes
        assert "nhsuk-label" in page.label_for(field_id).classes
        group = next(a for a in control.ancestors() if "nhsuk-form-group" in a.classes)
        assert "nhsuk-form-group--error" not in group.classes
    assert "nhsuk-textarea" in page.by_id("id_note").classes
    assert page.by_id("id_note").tag == "textarea"
    assert "nhsuk-select" in page.by_id("id_service").classes
    assert page.label_for("id_note").text == "Note (optional)"
    assert page.label_for("id_service").text == "Service"


def test_hint_is_linked_by_aria_describedby():
    page = page_for(EveryKindForm())
    hint = page.by_id("id_full_name-hint")
    assert "nhsuk-hint" in hint.classes
    assert hint.text == "As you would like us to write it"
    assert page.by_id("id_full_name").attrs["aria-describedby"] == "id_full_name-hint"
    # A field without help text points at nothing.
    assert "aria-describedby" not in page.by_id("id_contacts").attrs


def test_autocomplete_passes_through_and_placeholder_and_required_do_not():
    control = page_for(EveryKindForm()).by_id("id_full_name")
    assert control.attrs["autocomplete"] == "name"
    assert "placeholder" not in control.attrs
    assert "required" not in control.attrs


def test_optional_fields_say_so_in_the_label_and_required_ones_carry_no_asterisk():
    page = page_for(EveryKindForm())
    assert page.label_for("id_email").text == "Email address (optional)"
    assert page.label_for("id_phone").text == "Phone number (optional)"
    assert page.label_for("id_full_name").text == "Full name"
    topics_legend = page.by_id("div_id_topics").children[0].children[0]
    assert topics_legend.tag == "legend"
    assert topics_legend.text == "What did you talk about? (optional)"
    assert "*" not in render(EveryKindForm())


def test_a_label_that_already_says_optional_is_not_marked_twice():
    class Form(forms.Form):
        sent_on = NHSDateField(label="Report sent (optional)", required=False)
        note = forms.CharField(label="Anything else (optional)", required=False)

    html = render(Form())
    assert "(optional) (optional)" not in html
    assert "Anything else (optional)</label>" in html


# --- radios, checkboxes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "component", "first_id", "legend"),
    [
        ("contact_by", "nhsuk-radios", "id_contact_by_0", "How should we contact you?"),
        ("topics", "nhsuk-checkboxes", "id_topics_0", "What did you talk about? (optional)"),
    ],
)
def test_choices_are_in_a_fieldset_with_a_legend(name, component, first_id, legend):
    page = page_for(EveryKindForm())
    group = page.by_id(f"div_id_{name}")
    fieldset = group.children[0]
    assert fieldset.tag == "fieldset"
    assert "nhsuk-fieldset" in fieldset.classes
    assert fieldset.children[0].tag == "legend"
    assert "nhsuk-fieldset__legend" in fieldset.children[0].classes
    assert fieldset.children[0].text == legend
    containers = list(fieldset.find_all(lambda e: component in e.classes))
    assert len(containers) == 1
    assert containers[0].attrs["data-module"] == component
    first = page.by_id(first_id)
    assert f"{component}__input" in first.classes
    assert f"{component}__label" in page.label_for(first_id).classes


def test_radio_hint_describes_the_fieldset_and_the_choice_is_kept():
    form = EveryKindForm(data={**VALID, "contact_by": "letter"})
    page = page_for(form)
    fieldset = page.by_id("div_id_contact_by").children[0]
    assert fieldset.attrs["aria-describedby"] == "id_contact_by-hint"
    assert "checked" in page.by_id("id_contact_by_2").attrs
    assert "checked" not in page.by_id("id_contact_by_0").attrs


def test_a_single_checkbox_is_an_nhs_checkbox_with_its_label_and_hint():
    page = page_for(EveryKindForm())
    box = page.by_id("id_consent")
    assert box.attrs["type"] == "checkbox"
    assert "nhsuk-checkboxes__input" in box.classes
    label = page.label_for("id_consent")
    assert "nhsuk-checkboxes__label" in label.classes
    assert label.text == "I agree to be contacted about peer support"
    assert box.attrs["aria-describedby"] == "id_consent-hint"
    assert "nhsuk-checkboxes__hint" in page.by_id("id_consent-hint").classes


# --- errors ---------------------------------------------------------------------------------


def test_error_summary_lists_every_error_and_links_to_the_field():
    form = EveryKindForm(data={**VALID, "full_name": "", "contact_by": "", "incident_date_day": ""})
    assert not form.is_valid()
    page = page_for(form)
    summary = page.one("div", cls="nhsuk-error-summary")
    assert summary.attrs["tabindex"] == "-1"
    assert summary.attrs["data-module"] == "nhsuk-error-summary"
    alert = summary.children[0]
    assert alert.attrs["role"] == "alert"
    assert page.one("h2", cls="nhsuk-error-summary__heading").text == "There is a problem"
    links = {a.attrs["href"]: a.text for a in summary.find_all(lambda e: e.tag == "a")}
    assert links == {
        # Django's generic "This field is required." becomes an NHS-style message.
        "#id_full_name": "Enter full name",
        "#id_contact_by_0": "Select an answer",
        # A date error links to the box that is wrong: here, the day.
        "#id_incident_date_day": "Date must include a day",
    }
    # Every link goes to something on the page.
    for href in links:
        page.by_id(href[1:])


def test_error_summary_includes_errors_that_belong_to_no_field():
    form = EveryKindForm(data={**VALID, "full_name": "clash"})
    assert not form.is_valid()
    summary = page_for(form).one("div", cls="nhsuk-error-summary")
    items = [li.text for li in summary.find_all(lambda e: e.tag == "li")]
    assert items == ["This person is already recorded on the review"]
    link = next(summary.find_all(lambda e: e.tag == "a"))
    assert link.attrs["href"] == "#id_full_name"


def test_no_error_summary_on_a_form_without_errors():
    assert "nhsuk-error-summary" not in render(EveryKindForm(data=VALID))
    assert "nhsuk-error-summary" not in render(EveryKindForm())


def test_inline_error_is_an_nhs_error_message_with_hidden_prefix():
    form = EveryKindForm(data={**VALID, "full_name": ""})
    form.is_valid()
    page = page_for(form)
    group = page.by_id("div_id_full_name")
    assert "nhsuk-form-group--error" in group.classes
    message = page.by_id("id_full_name-error")
    assert message.tag == "span"
    assert "nhsuk-error-message" in message.classes
    hidden = message.children[0]
    assert "nhsuk-u-visually-hidden" in hidden.classes
    assert hidden.text == "Error:"
    assert message.text == "Error: Enter full name"
    control = page.by_id("id_full_name")
    assert "nhsuk-input--error" in control.classes
    assert control.attrs["aria-describedby"] == "id_full_name-hint id_full_name-error"
    # Fields without errors are left alone.
    assert "nhsuk-input--error" not in page.by_id("id_contacts").classes


def test_select_and_textarea_get_their_own_error_classes():
    class Form(forms.Form):
        service = forms.ChoiceField(choices=[("", "Choose"), ("a", "A")])
        note = forms.CharField(widget=forms.Textarea)

    form = Form(data={})
    form.is_valid()
    page = page_for(form)
    assert "nhsuk-select--error" in page.by_id("id_service").classes
    assert "nhsuk-textarea--error" in page.by_id("id_note").classes
    assert page.by_id("id_service-error").text == "Error: Select service"
    assert page.by_id("id_note-error").text == "Error: Enter note"


def test_a_form_own_required_message_is_kept_and_acronyms_keep_their_case():
    class Form(forms.Form):
        nhs_number = forms.CharField(label="NHS number")
        team = forms.CharField(label="Team", error_messages={"required": "Enter the team name"})
        agree = forms.BooleanField(label="I have read the code of conduct")

    form = Form(data={})
    form.is_valid()
    page = page_for(form)
    assert page.by_id("id_nhs_number-error").text == "Error: Enter NHS number"
    assert page.by_id("id_team-error").text == "Error: Enter the team name"
    assert page.by_id("id_agree-error").text == "Error: Select the box to continue"


# --- the date field -------------------------------------------------------------------------


def date_form(day, month, year, required=True):
    class Form(forms.Form):
        when = NHSDateField(label="When did it happen?", required=required)

    return Form(data={"when_day": day, "when_month": month, "when_year": year})


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("27", "3", "2024", datetime.date(2024, 3, 27)),
        ("01", "02", "2024", datetime.date(2024, 2, 1)),
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
        (" 5 ", "Mar", "2025", datetime.date(2025, 3, 5)),
        ("5", "september", "2025", datetime.date(2025, 9, 5)),
    ],
)
def test_date_field_parses_real_dates(day, month, year, expected):
    form = date_form(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2024", "Date must be a real date"),
        ("29", "2", "2023", "Date must be a real date"),
        ("1", "13", "2024", "Date must be a real date"),
        ("x", "3", "2024", "Date must be a real date"),
        ("1", "2", "24", "Year must include 4 numbers"),
        ("1", "2", "202", "Year must include 4 numbers"),
        ("", "", "", "Enter a date"),
        ("1", "", "", "Date must include a month and year"),
        ("", "4", "2024", "Date must include a day"),
    ],
)
def test_date_field_rejects_with_nhs_messages(day, month, year, message):
    form = date_form(day, month, year)
    assert not form.is_valid()
    assert form.errors["when"] == [message]


def test_optional_date_left_blank_is_none():
    form = date_form("", "", "", required=False)
    assert form.is_valid()
    assert form.cleaned_data["when"] is None


def test_date_is_an_nhs_date_input_in_a_fieldset_with_a_legend():
    page = page_for(EveryKindForm())
    group = page.by_id("div_id_incident_date")
    fieldset = group.children[0]
    assert fieldset.tag == "fieldset"
    assert fieldset.attrs["role"] == "group"
    assert fieldset.attrs["aria-describedby"] == "id_incident_date-hint"
    assert fieldset.children[0].tag == "legend"
    assert fieldset.children[0].text == "Date of the incident"
    assert "nhsuk-date-input" in page.by_id("id_incident_date").classes
    parts = [("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)]
    for name, label, width in parts:
        box = page.by_id(f"id_incident_date_{name}")
        assert box.attrs["name"] == f"incident_date_{name}"
        assert box.attrs["inputmode"] == "numeric"
        assert box.attrs["type"] == "text"
        assert {"nhsuk-input", "nhsuk-date-input__input", f"nhsuk-input--width-{width}"} <= set(
            box.classes
        )
        assert page.label_for(f"id_incident_date_{name}").text == label


def test_date_error_marks_only_the_wrong_box_and_keeps_what_was_typed():
    form = EveryKindForm(data={**VALID, "incident_date_year": "24"})
    assert not form.is_valid()
    page = page_for(form)
    assert "nhsuk-form-group--error" in page.by_id("div_id_incident_date").classes
    assert page.by_id("id_incident_date-error").text == "Error: Year must include 4 numbers"
    assert page.by_id("div_id_incident_date").children[0].attrs["aria-describedby"] == (
        "id_incident_date-hint id_incident_date-error"
    )
    day, month, year = (page.by_id(f"id_incident_date_{p}") for p in ("day", "month", "year"))
    assert "nhsuk-input--error" in year.classes
    assert "nhsuk-input--error" not in day.classes
    assert "nhsuk-input--error" not in month.classes
    assert (day.attrs["value"], month.attrs["value"], year.attrs["value"]) == ("27", "3", "24")
    summary_link = page.one("div", cls="nhsuk-error-summary").find_all(lambda e: e.tag == "a")
    assert next(summary_link).attrs["href"] == "#id_incident_date_year"


def test_an_impossible_date_marks_every_box():
    form = EveryKindForm(data={**VALID, "incident_date_day": "31", "incident_date_month": "2"})
    form.is_valid()
    page = page_for(form)
    for part in ("day", "month", "year"):
        assert "nhsuk-input--error" in page.by_id(f"id_incident_date_{part}").classes
    assert page.by_id("id_incident_date-error").text == "Error: Date must be a real date"


def test_date_initial_value_fills_the_boxes_and_autocomplete_is_split():
    class Form(forms.Form):
        born = NHSDateField(widget=NHSDateInput(attrs={"autocomplete": "bday"}))

    page = page_for(Form(initial={"born": datetime.date(1980, 7, 4)}))
    values = [page.by_id(f"id_born_{part}").attrs["value"] for part in ("day", "month", "year")]
    assert values == ["4", "7", "1980"]
    assert page.by_id("id_born_day").attrs["autocomplete"] == "bday-day"
    assert page.by_id("id_born_year").attrs["autocomplete"] == "bday-year"


# --- {% crispy %} with a helper -------------------------------------------------------------


def test_crispy_tag_renders_an_nhs_form_with_layout_and_submit():
    form = EveryKindForm()
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset("About the person", "full_name", "email"), Submit("save", "Save and continue")
    )
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form, "csrf_token": "x"})
    )
    page = Page(html)
    form_element = page.one("form")
    assert "novalidate" in form_element.attrs
    assert form_element.attrs["method"] == "post"
    legend = page.one("legend", cls="nhsuk-fieldset__legend")
    assert legend.text == "About the person"
    button = page.one("button")
    assert button.attrs["type"] == "submit"
    assert button.classes == ["nhsuk-button"]
    assert button.text == "Save and continue"
    assert page.by_id("id_full_name")


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_page_is_an_nhs_404_even_when_logged_out(client):
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    page = Page(response.content.decode())
    assert page.title() == "Page not found – Peer support after serious incidents"
    assert page.one("h1").text == "Page not found"
    assert page.one("header", cls="nhsuk-header")
    assert page.one("a", cls="nhsuk-skip-link").attrs["href"] == "#maincontent"
    main = page.one("main", cls="nhsuk-main-wrapper")
    assert main.attrs["id"] == "maincontent"
    assert page.one("footer", cls="nhsuk-footer")
    assert any(a.attrs.get("href") == "/" for a in main.find_all(lambda e: e.tag == "a"))
    assert "Log out" not in response.content.decode()


def test_500_page_renders_with_an_empty_context():
    html = get_template("500.html").render({})
    page = Page(html)
    assert page.one("h1").text == "Sorry, there is a problem with the service"
    assert page.title() == (
        "Sorry, there is a problem with the service – Peer support after serious incidents"
    )
    assert page.one("span", cls="nhsuk-header__service-name").text == settings.SERVICE_NAME
    assert page.one("link", rel="stylesheet", href="/static/nhsuk/nhsuk-frontend.min.css")


@pytest.mark.django_db
def test_login_page_is_nhs_styled_with_a_reset_link_and_no_sign_up(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    assert page.one("h1").text == "Log in"
    assert page.title().startswith("Log in – ")
    assert "nhsuk-input" in page.by_id("id_login").classes
    assert page.label_for("id_login")
    assert page.by_id("id_password").attrs["type"] == "password"
    assert page.label_for("id_password")
    assert page.one("button", type="submit").text == "Log in"
    assert page.one("a", href="/accounts/password/reset/").text == "Forgotten your password?"
    assert "sign up" not in html.lower()
    assert "/accounts/signup/" not in html


@pytest.mark.django_db
def test_login_errors_show_as_nhs_errors_with_a_summary(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.title().startswith("Error: Log in")
    summary = page.one("div", cls="nhsuk-error-summary")
    links = [(a.attrs["href"], a.text) for a in summary.find_all(lambda e: e.tag == "a")]
    assert links == [("#id_login", "Enter email"), ("#id_password", "Enter password")]
    assert "nhsuk-form-group--error" in page.by_id("div_id_login").classes
    assert "nhsuk-error-message" in page.by_id("id_login-error").classes


@pytest.mark.django_db
def test_sign_up_is_closed_kindly(client):
    response = client.get("/accounts/signup/")
    page = Page(response.content.decode())
    assert page.one("h1").text == "You cannot create an account here"
    assert not page.all("form", action="/accounts/signup/")


# --- static files and the Content-Security-Policy --------------------------------------------


def test_nhsuk_frontend_build_is_committed_without_source_maps():
    nhsuk = BASE_DIR / "static" / "nhsuk"
    assert (nhsuk / "VERSION").read_text().strip() == "10.6.1"
    css = (nhsuk / "nhsuk-frontend.min.css").read_text()
    js = (nhsuk / "nhsuk-frontend.min.js").read_text()
    assert "sourceMappingURL" not in css + js
    assert "url(/assets/" not in css
    assert "initAll" in js and "export{" in js
    for image in re.findall(r"url\((assets/images/[^)]+)\)", css):
        assert (nhsuk / image).is_file(), image
    assert not list(nhsuk.rglob("*.map"))
    assert "initAll()" in (BASE_DIR / "static" / "js" / "init.js").read_text()


def test_no_template_has_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\sstyle\s*=", text, re.I), f"style attribute in {template}"
        assert "<style" not in text.lower(), f"<style> in {template}"
        assert not inline_script.search(text), f"inline script in {template}"
