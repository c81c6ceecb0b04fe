"""The public forms to ask for support (staff; families and service users), and the team's form
to add or link the person who asked.

Lengths are checked on the server with clear messages rather than by `maxlength`, which cuts
off what someone types or pastes without telling them (GOV.UK design system advice).
"""

from django import forms
from django.utils import timezone

from incidents.models import (
    AffectedPerson,
    Organisation,
    PersonKind,
    ReferralContactHow,
    ReferralKind,
    Review,
    SelfReferral,
)
from incidents.validators import normalise_uk_phone
from peersupport.forms import NHSDateField

HONEYPOT = "website"

# Radios are easier to use than a drop-down while the list is short (NHS.UK design system).
MOST_RADIOS = 8

LIMITS = {
    "name": 100,
    "email": 254,
    "phone": 30,
    "team": 100,
    "what_happened": 300,
    "review_reference": 50,
    "needs": 500,
}
REFERRAL_FIELDS = (
    "name",
    "email",
    "phone",
    "team",
    "what_happened",
    "event_date",
    "contact_how",
    "contact_when",
)


class ReferralForm(forms.Form):
    """Ask for support: no account needed. A filled-in `website` field marks a robot.

    A plain form rather than a ModelForm so the rule "an email address or a phone number, and
    the one you chose to be contacted by" (SelfReferral.clean) runs only once the two boxes are
    themselves valid, and each mistake gets one message.
    """

    organisation = forms.ModelChoiceField(
        label="Which organisation do you work for?",
        queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation you work for"},
    )
    name = forms.CharField(
        label="Your name",
        error_messages={"required": "Enter your name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Work email address (optional)",
        required=False,
        help_text="Give an email address, a phone number or both. If you give an email address,"
        " we will email you to say we have your request.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        help_text="For example, 07700 900 982.",
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "type": "tel", "class": "nhsuk-input--width-20"}
        ),
    )
    team = forms.CharField(
        label="Your team or ward",
        help_text="For example, ward 7 or the emergency department.",
        error_messages={"required": "Enter your team or ward"},
    )
    what_happened = forms.CharField(
        label="In one sentence, what happened?",
        help_text="Up to 300 characters. Please do not include the names of patients or"
        " colleagues.",
        error_messages={"required": "Enter a sentence about what happened"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    event_date = NHSDateField(
        label="When did it happen? (optional)",
        required=False,
        help_text="For example, 27 3 2026. Leave it blank if it is hard to say.",
    )
    contact_how = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=ReferralContactHow.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you would like us to contact you"},
    )
    contact_when = forms.CharField(
        label="When is a good time to contact you? (optional)",
        required=False,
        help_text="For example, weekdays after 5pm, or not while I am on shift.",
    )
    website = forms.CharField(
        label="Leave this box empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(Organisation.objects.all() if organisations is None else organisations)
        self.only_organisation = organisations[0] if len(organisations) == 1 else None
        field = self.fields["organisation"]
        if len(organisations) <= 1:
            del self.fields["organisation"]
        else:
            field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
            if len(organisations) <= MOST_RADIOS:
                field.widget = forms.RadioSelect(choices=field.choices)
            else:
                field.empty_label = "Choose your organisation"

    def _within(self, name, label, limit=None):
        value = " ".join((self.cleaned_data.get(name) or "").split())
        limit = limit or LIMITS[name]
        if len(value) > limit:
            raise forms.ValidationError(
                f"{label} must be {limit} characters or fewer (you have entered {len(value)})"
            )
        return value

    def clean_name(self):
        return self._within("name", "Your name")

    def clean_email(self):
        return self._within("email", "Email address").lower()

    def clean_phone(self):
        return normalise_uk_phone(self._within("phone", "Phone number"))

    def clean_team(self):
        return self._within("team", "Your team or ward")

    def clean_what_happened(self):
        return self._within("what_happened", "What happened")

    def clean_contact_when(self):
        return self._within("contact_when", "When to contact you", limit=200)

    def clean_event_date(self):
        value = self.cleaned_data.get("event_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date it happened must be today or in the past")
        return value

    def clean(self):
        cleaned = super().clean()
        if not {"email", "phone"} & set(self.errors):
            check = SelfReferral(
                kind=cleaned.get("kind") or self.default_kind,
                email=cleaned.get("email", ""),
                phone=cleaned.get("phone", ""),
                contact_how=cleaned.get("contact_how", ""),
            )
            try:
                check.clean()
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned

    @property
    def is_robot(self) -> bool:
        """People never see the honeypot box; software that fills in every box does."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    fields_sent = REFERRAL_FIELDS
    default_kind = ReferralKind.STAFF

    def referral_data(self) -> dict:
        """The cleaned answers, ready for incidents.referrals.submit_referral."""
        data = {name: self.cleaned_data.get(name) for name in self.fields_sent}
        data["organisation"] = self.only_organisation or self.cleaned_data["organisation"]
        return data


class FamilyRequestForm(ReferralForm):
    """A bereaved family member, carer or service user asks for a supporter: no account needed.

    The staff form's checks, limits and honeypot, with the questions a family can answer: who
    they are, a review reference if they have one, and anything that would help. The reference
    is kept as typed and never looked up, so the answer cannot tell anyone a review exists."""

    kind = forms.ChoiceField(
        label="Who are you?",
        choices=[
            (ReferralKind.FAMILY.value, "A family member, partner or carer"),
            (ReferralKind.SERVICE_USER.value, "A patient or someone who uses the service"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are"},
    )
    review_reference = forms.CharField(
        label="Review number (optional)",
        required=False,
        help_text="If you have a letter from the review team, the number may be on it."
        " You can leave this blank.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    needs = forms.CharField(
        label="Is there anything that would help you? (optional)",
        required=False,
        help_text="For example, a friend with you, large print, a language, or a date we should"
        " not call, like a funeral. Up to 500 characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    default_kind = ReferralKind.FAMILY
    field_order = [
        "kind",
        "organisation",
        "name",
        "email",
        "phone",
        "review_reference",
        "contact_how",
        "contact_when",
        "needs",
        HONEYPOT,
    ]
    fields_sent = (
        "kind",
        "name",
        "email",
        "phone",
        "review_reference",
        "needs",
        "contact_how",
        "contact_when",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("team", "what_happened", "event_date"):
            del self.fields[name]
        if "organisation" in self.fields:
            self.fields["organisation"].label = "Which NHS service is this about?"
            self.fields["organisation"].error_messages["required"] = "Select the NHS service"
        self.fields["email"].label = "Email address (optional)"
        self.fields["email"].help_text = (
            "Give an email, a phone number or both. If you give an email, we will send you a"
            " note to say we have your request."
        )
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email in the right format, like name@example.com"
        )
        self.fields["contact_when"].help_text = "For example, weekday mornings, or not on Fridays."

    def clean_review_reference(self):
        return self._within("review_reference", "The review number")

    def clean_needs(self):
        return self._within("needs", "What would help you")


class ConvertReferralForm(forms.Form):
    """The team adds the person who asked as a person affected: staff with or without a review;
    a family member or service user on a review, as someone new or someone already on it."""

    review = forms.ModelChoiceField(
        label="Is this about a review? (optional)",
        queryset=Review.objects.none(),
        required=False,
        empty_label="No review",
        help_text="Staff can ask for support after any traumatic event at work, with or without"
        " a review. Without one, escalations go to the organisation's lead.",
    )

    def __init__(self, *args, user, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = (
            Review.objects.visible_to(user)
            .filter(organisation=referral.organisation)
            .open()
            .order_by("reference")
        )
        self.fields["review"].label_from_instance = lambda review: (
            f"{review.reference}: {review.get_category_display().lower()}, reported"
            f" {review.reported_date.day} {review.reported_date:%B %Y}"
        )
        if not referral.from_staff:
            self._for_family(user, referral)

    def _for_family(self, user, referral):
        review = self.fields["review"]
        review.required = True
        review.empty_label = "Choose a review"
        review.label = "Which review is this about?"
        review.help_text = (
            f"They gave the review number: {referral.review_reference}."
            if referral.review_reference
            else "They did not give a review number."
        ) + " Support for a family member or service user is linked to a review."
        review.error_messages["required"] = "Choose the review this request is about"
        self.fields["person"] = forms.ModelChoiceField(
            label="Are they already on the review? (optional)",
            queryset=AffectedPerson.objects.visible_to(user)
            .filter(review__in=review.queryset, referral__isnull=True)
            .exclude(kind=PersonKind.STAFF)
            .select_related("review")
            .order_by("review__reference", "full_name"),
            required=False,
            empty_label="No, add them as someone new",
            help_text="Choose them to link this request to their record. Nothing the team has"
            " written is changed; missing contact details are filled in from the request.",
        )
        self.fields["person"].label_from_instance = lambda person: (
            f"{person.full_name} ({person.get_kind_display().lower()}), {person.review.reference}"
        )
