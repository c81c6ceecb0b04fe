"""The form a person uses to answer an offer of support, from the link in their offer.

As on the other public forms, lengths are checked on the server with a clear message rather
than by `maxlength`, which cuts off what someone types without telling them.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from incidents import preferences
from incidents.preferences import has_details_for
from peersupport.channels import Channel
from peersupport.forms import NHSDateField

REASON_LIMIT = 300
LATEST_LATER = timedelta(days=365)


def _say(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="What would you like to do?",
        choices=[
            ("accepted", "Yes, I would like support"),
            ("declined", "No, thank you"),
            ("later", "Please contact me later"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes, no, or contact me later"},
    )
    reason = forms.CharField(
        label="If you said no, would you like to tell us why? (optional)",
        required=False,
        help_text="You do not have to say. Up to 300 characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_again_on = NHSDateField(
        label="If you would like us to contact you later, when would suit you? (optional)",
        required=False,
    )

    def __init__(self, *args, default_later: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_again_on"].help_text = (
            f"For example, {default_later.day} {default_later.month} {default_later.year}."
            f" Leave it empty and we will contact you on or after {_say(default_later)}."
        )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) > REASON_LIMIT:
            raise forms.ValidationError(
                f"Your reason must be {REASON_LIMIT} characters or fewer"
                f" (you have entered {len(reason)})"
            )
        return reason

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("answer")
        # A box the person's answer does not use is ignored, not held against them.
        if answer and answer != "declined":
            self.errors.pop("reason", None)
            cleaned["reason"] = ""
        if answer and answer != "later":
            self.errors.pop("contact_again_on", None)
            cleaned["contact_again_on"] = None
        when = cleaned.get("contact_again_on")
        if answer == "later" and when:
            today = timezone.localdate()
            latest = today + LATEST_LATER
            if when <= today:
                self.add_error(
                    "contact_again_on", "The date we contact you again must be in the future"
                )
            elif when > latest:
                self.add_error(
                    "contact_again_on",
                    "The date we contact you again must be within the next year,"
                    f" on or before {_say(latest)}",
                )
        return cleaned


OWN_WORDS_LIMIT = 100
NO_PREFERENCE = ("", "No preference")


def _listed(choices, *, first=NO_PREFERENCE):
    return [first, *choices.choices]


class PreferencesForm(forms.Form):
    """What matters to the person in a supporter: every question optional, each from a list
    (incidents.preferences) with their own words beside "prefer to self-describe"."""

    gender = forms.ChoiceField(
        label="Would you like your supporter to be",
        choices=_listed(preferences.Gender),
        required=False,
        widget=forms.RadioSelect,
    )
    gender_own = forms.CharField(label="Gender, in your own words", required=False)
    background = forms.ChoiceField(
        label="Would you like a supporter who shares your background?",
        choices=_listed(preferences.Background),
        required=False,
        widget=forms.RadioSelect,
    )
    background_own = forms.CharField(label="Background, in your own words", required=False)
    matching_consent = forms.BooleanField(
        label="I agree that the team may use my gender and background preferences to choose my"
        " supporter",
        help_text="We only keep a gender or background preference if you agree. Untick this box"
        " at any time to remove them.",
        required=False,
    )
    language = forms.ChoiceField(
        label="Would you like a supporter who speaks",
        choices=_listed(preferences.Language),
        required=False,
    )
    language_own = forms.CharField(label="Another language: which one?", required=False)
    experience = forms.ChoiceField(
        label="Would you like a supporter who has been through something similar?",
        choices=_listed(preferences.Experience),
        required=False,
        widget=forms.RadioSelect,
    )
    experience_own = forms.CharField(label="Experience, in your own words", required=False)
    channel = forms.ChoiceField(
        label="How would you like your supporter to contact you?",
        required=False,
        widget=forms.RadioSelect,
    )
    contact_time = forms.ChoiceField(
        label="When is the best time to contact you?",
        choices=_listed(preferences.ContactTime),
        required=False,
        widget=forms.RadioSelect,
    )
    contact_time_own = forms.CharField(label="Best time, in your own words", required=False)

    FIELDS = {kind: (field, own) for kind, (field, own, _list) in preferences.PREFERENCES.items()}

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["channel"].choices = [
            NO_PREFERENCE,
            *[(c.value, c.label) for c in Channel if has_details_for(person, c)],
        ]
        if not self.is_bound:
            for kind, (field, own) in self.FIELDS.items():
                self.initial[kind] = getattr(person, field)
                self.initial[f"{kind}_own"] = getattr(person, own)
            self.initial["channel"] = person.preferred_channel
            self.initial["matching_consent"] = person.matching_consent_at is not None

    def clean(self):
        cleaned = super().clean()
        for kind in self.FIELDS:
            name = f"{kind}_own"
            words = " ".join((cleaned.get(name) or "").split())
            if len(words) > OWN_WORDS_LIMIT:
                self.add_error(
                    name,
                    f"{self.fields[name].label} must be {OWN_WORDS_LIMIT} characters or fewer"
                    f" (you have entered {len(words)})",
                )
            cleaned[name] = words
        special = any(cleaned.get(kind) for kind in preferences.SPECIAL_CATEGORY)
        if special and not cleaned.get("matching_consent"):
            self.add_error(
                "matching_consent",
                "Tick the box to agree that we may use your gender and background preferences,"
                " or choose no preference",
            )
        return cleaned

    def model_values(self) -> dict:
        """The cleaned answers as the person's fields (incidents.preferences.set_preferences)."""
        values = {}
        for kind, (field, own) in self.FIELDS.items():
            values[field] = self.cleaned_data[kind]
            values[own] = self.cleaned_data[f"{kind}_own"]
        return values
