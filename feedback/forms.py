"""The form a person uses to answer an offer of support, from the link in their offer.

As on the other public forms, lengths are checked on the server with a clear message rather
than by `maxlength`, which cuts off what someone types without telling them.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

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
