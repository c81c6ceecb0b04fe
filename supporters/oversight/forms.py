"""Forms for the team's oversight pages: acknowledging a concern, following up a wellbeing
check-in and recording a group debrief."""

from django import forms
from django.utils import timezone

from incidents.models import Review
from peersupport.forms import NHSDateField
from supporters.supervision import FOLLOW_UP_MAX

ATTENDANCE_MAX = 1000


class AcknowledgeConcernForm(forms.Form):
    action_taken = forms.CharField(
        label="What have you done?",
        help_text=(
            "For example, who you spoke to, what you agreed and any referral made. "
            "It is kept with the concern. The supporter who raised it will see this, "
            "but not your name, so write nothing they should not read."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what you have done about this concern",
            "max_length": "What you have done must be 2000 characters or fewer",
        },
    )

    def clean_action_taken(self):
        text = self.cleaned_data["action_taken"].strip()
        if not text:
            raise forms.ValidationError("Enter what you have done about this concern")
        return text


class CheckInFollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label="What did you do?",
        help_text=(
            "For example, when you spoke to them, what you agreed and any support you arranged. "
            "Only their supervisors will see this."
        ),
        max_length=FOLLOW_UP_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what you did after their check-in",
            "max_length": f"What you did must be {FOLLOW_UP_MAX} characters or fewer",
        },
    )

    def clean_follow_up(self):
        text = self.cleaned_data["follow_up"].strip()
        if not text:
            raise forms.ValidationError("Enter what you did after their check-in")
        return text


class GroupDebriefForm(forms.Form):
    team = forms.CharField(
        label="Which team was debriefed?",
        help_text="For example, Ward 7 nursing team.",
        max_length=100,
        error_messages={
            "required": "Enter the team that was debriefed",
            "max_length": "Team must be 100 characters or fewer",
        },
    )
    held_on = NHSDateField(
        label="Date of the debrief",
        help_text="For example, 14 9 2026",
        error_messages={"required": "Enter the date of the debrief"},
    )
    facilitators = forms.CharField(
        label="Who facilitated it?",
        help_text="Names or roles, for example, Dr Amira Shah (psychologist).",
        max_length=300,
        error_messages={
            "required": "Enter who facilitated the debrief",
            "max_length": "Facilitators must be 300 characters or fewer",
        },
    )
    attendance = forms.IntegerField(
        label="How many people attended?",
        min_value=1,
        max_value=ATTENDANCE_MAX,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter how many people attended",
            "invalid": "How many people attended must be a number, like 8",
            "min_value": "How many people attended must be 1 or more",
            "max_value": f"How many people attended must be {ATTENDANCE_MAX} or fewer",
        },
    )
    follow_up = forms.CharField(
        label="Follow-up",
        required=False,
        max_length=2000,
        help_text="What was agreed, for example, individual support offered to two staff.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Follow-up must be 2000 characters or fewer"},
    )
    review = forms.ModelChoiceField(
        label="Review it relates to",
        required=False,
        queryset=Review.objects.none(),
        empty_label="Not linked to a review",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the reviews this user may see, which are always their own organisation's.
        self.fields["review"].queryset = Review.objects.visible_to(user).order_by("reference")

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on and held_on > timezone.localdate():
            raise forms.ValidationError("Date of the debrief must be today or in the past")
        return held_on

    def clean_follow_up(self):
        return self.cleaned_data["follow_up"].strip()
