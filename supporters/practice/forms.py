"""Forms for support in practice: a contact, a concern, a wellbeing check-in.

Built to be filled in quickly on a phone: radios and checkboxes rather than selects, today's
date already filled in, and plain NHS-style error messages. The rules that matter (what a
supporter may record, and who is alerted) live in supporters.practice.services, not here.
"""

from django import forms
from django.utils import timezone

from peersupport.forms import NHSDateField
from supporters.models import ConcernKind, ContactMode, SignpostService, Topic

NOTE_MAX = 500
DETAILS_MAX = 1000
MINUTES_MAX = 600

AGREEMENT = [
    (1, "1 – Strongly disagree"),
    (2, "2 – Disagree"),
    (3, "3 – Neither agree nor disagree"),
    (4, "4 – Agree"),
    (5, "5 – Strongly agree"),
]
AGREEMENT_WORDS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


def _no_maxlength(field):
    """The character count tells people the limit and lets them see what to cut; a maxlength
    attribute would silently drop what they typed past it (GOV.UK character count guidance)."""
    field.widget.attrs.pop("maxlength", None)


class ContactForm(forms.Form):
    happened_on = NHSDateField(
        label="When was the contact?",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date of the contact"},
    )
    mode = forms.ChoiceField(
        label="How were you in contact?",
        choices=ContactMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you were in contact"},
    )
    minutes = forms.IntegerField(
        label="How long did it last, in minutes?",
        help_text="For example, 20",
        min_value=1,
        max_value=MINUTES_MAX,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3", "autocomplete": "off"}
        ),
        error_messages={
            "required": "Enter how many minutes the contact lasted",
            "invalid": "Minutes must be a number, like 20",
            "min_value": "Minutes must be 1 or more",
            "max_value": f"Minutes must be {MINUTES_MAX} or fewer",
        },
    )
    topics = forms.MultipleChoiceField(
        label="What did you talk about?",
        help_text="Select all that apply.",
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one topic"},
    )
    signposted_to = forms.ModelMultipleChoiceField(
        label="Did you point them to any of these services?",
        help_text="Select any you suggested.",
        queryset=SignpostService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Optional. A few words to remind you, not clinical details. "
            "Only you and your supervisor can read this."
        ),
        error_messages={"max_length": f"Your note must be {NOTE_MAX} characters or fewer"},
    )
    worried = forms.BooleanField(
        label="I am worried about their safety or someone else's",
        required=False,
        help_text="After saving, you will be asked what you are worried about, so the team can act.",
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        services = SignpostService.objects.all()
        if person is not None:
            # Only the services meant for someone like them: staff, or families and patients.
            services = services.filter(
                **({"for_staff": True} if person.kind == "staff" else {"for_families": True})
            )
        self.fields["signposted_to"].queryset = services
        _no_maxlength(self.fields["note"])

    def clean_happened_on(self):
        happened_on = self.cleaned_data["happened_on"]
        if happened_on and happened_on > timezone.localdate():
            raise forms.ValidationError("The date of the contact must be today or in the past")
        return happened_on


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you worried about?",
        choices=ConcernKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are worried about"},
    )
    details = forms.CharField(
        label="What happened?",
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "The team will see this, so they can act. Say what was said or done and when, "
            "and anything you have already done, such as calling 999."
        ),
        error_messages={
            "required": "Enter what happened",
            "max_length": f"What happened must be {DETAILS_MAX} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_maxlength(self.fields["details"])


class CheckInForm(forms.Form):
    empowered = forms.TypedChoiceField(
        label="I feel empowered to support the people I am matched with",
        help_text="How much do you agree?",
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how much you agree that you feel empowered"},
    )
    coping = forms.TypedChoiceField(
        label="I am coping emotionally with being a peer supporter",
        help_text="How much do you agree?",
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how much you agree that you are coping"},
    )
    wants_debrief = forms.TypedChoiceField(
        label="Would you like a debrief with your supervisor?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you would like a debrief"},
    )
