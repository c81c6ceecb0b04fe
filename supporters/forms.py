from django import forms
from django.utils import timezone

from incidents.forms import team_users
from peersupport.forms import NHSDateField
from supporters.models import CloseReason, Course, OfferedVia, SupporterStatus


def _not_in_future(value, label):
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{label} must be today or in the past")
    return value


class AssignForm(forms.Form):
    via = forms.ChoiceField(
        label="How will the offer reach them?",
        choices=[
            (OfferedVia.EMAIL, "Send the offer by email now"),
            (OfferedVia.PHONE, "The team has offered it by phone"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the offer will reach them"},
    )
    override_reason = forms.CharField(
        label="Why is a supporter from the other pool right for this person?",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    preference_reason = forms.CharField(
        label="Why offer this supporter although they do not meet what the person asked for?",
        help_text="For example: nobody who speaks Polish is free this month, and they agreed."
        " Up to 300 characters.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, needs_override=False, reassigning=False, unmet=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_override = needs_override
        self.unmet = unmet
        if not needs_override:
            del self.fields["override_reason"]
        if not unmet:
            del self.fields["preference_reason"]
        if reassigning:
            # The person already has the offer; a reassignment tells them by their channel.
            del self.fields["via"]

    def clean_override_reason(self):
        reason = self.cleaned_data["override_reason"].strip()
        if self.needs_override and not reason:
            raise forms.ValidationError(
                "Enter why a supporter from the other pool is right for them"
            )
        return reason

    def reasons(self) -> dict:
        """Why the team chose this supporter, where they had to say (for the service)."""
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("override_reason", "preference_reason")
        }

    def clean_preference_reason(self):
        reason = " ".join(self.cleaned_data["preference_reason"].split())
        if not reason:
            raise forms.ValidationError(
                "Enter why you are offering a supporter who does not meet what they asked for"
            )
        if len(reason) > 300:
            raise forms.ValidationError(
                f"The reason must be 300 characters or fewer (you have entered {len(reason)})"
            )
        return reason


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="What did they say?",
        choices=[
            ("accepted", "They would like the support"),
            ("declined", "No, thank you"),
            ("later", "Ask again later"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they said"},
    )
    reason = forms.CharField(
        label="Anything they said about why (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if they chose to say. No clinical details.",
    )
    contact_again_on = NHSDateField(
        label="When should we contact them again? (optional)",
        required=False,
        help_text="If they asked to be contacted later. Leave empty for 4 weeks from today.",
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is support ending?",
        choices=[(c.value, c.label) for c in CloseReason if c != CloseReason.REASSIGNED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why support is ending"},
    )


class SupporterStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=SupporterStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status"},
    )
    paused_until = NHSDateField(label="Expected return date (if pausing)", required=False)
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=300,
        help_text="Kept on their record. No health details.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == SupporterStatus.PAUSED and not cleaned.get("paused_until"):
            self.add_error("paused_until", "Enter the date they expect to return")
        return cleaned


class TrainingForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.all(),
        label="Course",
        error_messages={"required": "Select the course"},
    )
    completed_on = NHSDateField(label="Date completed", help_text="For example, 14 9 2026")

    def clean_completed_on(self):
        return _not_in_future(self.cleaned_data["completed_on"], "Date completed")


class SupervisionForm(forms.Form):
    supervisor = forms.ModelChoiceField(
        queryset=None, label="Supervisor", error_messages={"required": "Select the supervisor"}
    )
    held_on = NHSDateField(label="Date of the session", help_text="For example, 14 9 2026")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = team_users(organisation)

    def clean_held_on(self):
        return _not_in_future(self.cleaned_data["held_on"], "Date of the session")


class SupervisorForm(forms.Form):
    """The supporter's named supervisor for the team's own organisation."""

    supervisor = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody named",
        help_text=(
            "They read this supporter's notes about your organisation's people, unless they are"
            " or ever were named on that person's review."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = team_users(organisation)
        self.fields["supervisor"].label = f"Supervisor for {organisation}"
        self.fields["supervisor"].error_messages["invalid_choice"] = (
            f"Select a member of {organisation}'s team"
        )


class AcceptCodeForm(forms.Form):
    accept = forms.BooleanField(
        label="I have read the code of conduct and role description, and I agree to follow them",
        error_messages={"required": "Confirm that you agree to the code of conduct"},
    )


class PublicProfileForm(forms.Form):
    """What a supporter agrees to show on the families' page. Lengths are checked with a clear
    message rather than cut off by `maxlength`."""

    first_name = forms.CharField(
        label="Your first name",
        help_text="Only your first name, or the name you go by.",
        error_messages={"required": "Enter your first name"},
    )
    words = forms.CharField(
        label="A few words about you",
        help_text="Up to 200 characters. For example: I lost my son in 2019 and I know how lonely"
        " the wait for answers can be. Do not name a hospital, a ward, a date or another person.",
        error_messages={"required": "Enter a few words about you"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agree = forms.BooleanField(
        label="I agree to be shown on the public page for families with these words",
        error_messages={"required": "Tick the box to agree to be shown on the page"},
    )

    def _within(self, name, label, limit):
        value = " ".join((self.cleaned_data.get(name) or "").split())
        if len(value) > limit:
            raise forms.ValidationError(
                f"{label} must be {limit} characters or fewer (you have entered {len(value)})"
            )
        return value

    def clean_first_name(self):
        value = self._within("first_name", "Your first name", 50)
        if len(value.split()) > 1:
            raise forms.ValidationError("Enter only your first name")
        return value

    def clean_words(self):
        return self._within("words", "A few words about you", 200)
