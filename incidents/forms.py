from django import forms
from django.utils import timezone

from incidents import preferences
from incidents.models import (
    AccessibleFormat,
    AffectedPerson,
    AvoidDate,
    Channel,
    Consent,
    ConsentMethod,
    Milestone,
    PersonKind,
    ReferralCloseReason,
    ResponseType,
    Review,
    ReviewStatus,
    Service,
)
from incidents.validators import normalise_uk_phone
from peersupport.forms import NHSDateField
from peersupport.models import User
from peersupport.roles import Role, group_name


def team_users(organisation):
    return User.objects.filter(
        is_active=True,
        groups__name=group_name(Role.TEAM),
        team_membership__organisation=organisation,
    ).order_by("first_name", "last_name", "email")


class ReviewForm(forms.ModelForm):
    incident_date = NHSDateField(label="Date of the incident", help_text="For example, 27 3 2026")
    reported_date = NHSDateField(label="Date reported", help_text="For example, 29 3 2026")
    family_agreed_due_on = NHSDateField(
        label="Timeframe agreed with the family (optional)",
        required=False,
        help_text="For PSIRF responses, which set no fixed clock. For example, 30 6 2026",
    )
    candour_notified_on = NHSDateField(
        label="Duty of Candour notification made (optional)", required=False
    )
    initial_report_sent_on = NHSDateField(label="72-hour report sent (optional)", required=False)
    report_sent_on = NHSDateField(label="Report sent (optional)", required=False)

    class Meta:
        model = Review
        fields = [
            "reference",
            "steis_ref",
            "lfpse_ref",
            "datix_ref",
            "incident_date",
            "reported_date",
            "service",
            "category",
            "response_type",
            "harm_level",
            "lead_investigator",
            "team_members",
            "summary",
            "restricted",
            "family_agreed_due_on",
            "candour_notified_on",
            "initial_report_sent_on",
            "report_sent_on",
        ]
        widgets = {
            "category": forms.RadioSelect,
            "response_type": forms.RadioSelect,
            "harm_level": forms.RadioSelect,
            "team_members": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "reference": "Review reference",
            "restricted": "Restricted: only the named team members and administrators can see it",
            "team_members": "Named team members",
        }
        help_texts = {
            "reference": "Unique within your organisation, for example LR-2026-014",
        }

    NAMING_FIELDS = ("lead_investigator", "team_members")

    def __init__(self, *args, organisation, may_change_naming=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.may_change_naming = may_change_naming
        self.fields["service"].queryset = Service.objects.filter(organisation=organisation)
        self.fields["lead_investigator"].queryset = team_users(organisation)
        self.fields["team_members"].queryset = team_users(organisation)
        self.fields["team_members"].required = False
        self.naming_posted = False
        if not may_change_naming:
            # Who is named is for the lead investigator and administrators: the fields are not
            # offered, and anything posted for them is ignored (and reported by the view).
            self.naming_posted = bool(self.data) and any(
                self.data.get(name) for name in self.NAMING_FIELDS
            )
            for name in self.NAMING_FIELDS:
                del self.fields[name]
        for name in ("category", "response_type", "harm_level"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        required = {
            "service": "Select the service",
            "category": "Select the category",
            "response_type": "Select the response type",
            "harm_level": "Select the harm level",
            "summary": "Enter a short summary",
            "reference": "Enter the review reference",
        }
        if may_change_naming:
            required["lead_investigator"] = "Select the lead investigator"
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message
        for name in ("steis_ref", "lfpse_ref", "datix_ref"):
            self.fields[name].label = f"{self.fields[name].label} (optional)"

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        clash = Review.objects.filter(organisation=self.organisation, reference__iexact=reference)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                "A review with this reference already exists in your organisation"
            )
        return reference

    def clean_incident_date(self):
        incident_date = self.cleaned_data["incident_date"]
        if incident_date and incident_date > timezone.localdate():
            raise forms.ValidationError("Date of the incident must be today or in the past")
        return incident_date

    def clean(self):
        cleaned = super().clean()
        incident, reported = cleaned.get("incident_date"), cleaned.get("reported_date")
        if incident and reported and reported < incident:
            self.add_error(
                "reported_date",
                "Date reported must be the same as or after the date of the incident",
            )
        if reported and reported > timezone.localdate():
            self.add_error("reported_date", "Date reported must be today or in the past")
        for name in ("candour_notified_on", "initial_report_sent_on", "report_sent_on"):
            value = cleaned.get(name)
            if value and reported and value < reported:
                self.add_error(name, "This date must be the same as or after the date reported")
        return cleaned


class ReviewStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in ReviewStatus if s != ReviewStatus.PAUSED],
    )
    closed_on = NHSDateField(
        label="Date the review closed",
        required=False,
        help_text="Needed when closing the review. For example, 27 3 2026",
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = "Select the new status"
        self.fields["status"].choices = [
            c for c in self.fields["status"].choices if c[0] != review.status
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ReviewStatus.CLOSED and not cleaned.get("closed_on"):
            self.add_error("closed_on", "Enter the date the review closed")
        return cleaned


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the review paused?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the review is paused"},
        help_text="For example, waiting for the coroner or a police investigation. No names.",
    )


class MilestoneForm(forms.ModelForm):
    due_on = NHSDateField(label="Date", help_text="For example, 14 1 2027")

    class Meta:
        model = Milestone
        fields = ["kind", "due_on"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"kind": "Milestone"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != ""]
        self.fields["kind"].error_messages["required"] = "Select the milestone"


class CompleteMilestoneForm(forms.Form):
    completed_on = NHSDateField(label="Date it happened", help_text="For example, 14 1 2027")

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Date it happened must be today or in the past")
        return value


class PersonForm(forms.ModelForm):
    accessible_formats = forms.MultipleChoiceField(
        label="Information in another format (optional)",
        choices=AccessibleFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    matching_consent = forms.BooleanField(
        label="They agreed we may use their gender and background preferences to match them",
        help_text="Needed to keep a gender or background preference. Untick to withdraw it.",
        required=False,
    )

    class Meta:
        model = AffectedPerson
        fields = [
            "kind",
            "relationship",
            "bereaved",
            "full_name",
            "preferred_name",
            "email",
            "phone",
            "address",
            "preferred_channel",
            "safe_times",
            "safe_from",
            "safe_until",
            "language",
            "interpreter_needed",
            "accessible_formats",
            "accessibility_needs",
            "staff_role",
            "staff_team",
            "prefers_supporter_gender",
            "prefers_supporter_gender_own",
            "prefers_shared_background",
            "prefers_shared_background_own",
            "prefers_language",
            "prefers_language_own",
            "prefers_lived_experience",
            "prefers_lived_experience_own",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "preferred_channel": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "full_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
            "safe_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "safe_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {
            "kind": "Who is this person?",
            "bereaved": "Bereaved by this incident",
            "preferred_channel": "How do they prefer to be contacted?",
            "interpreter_needed": "Needs an interpreter",
            "accessibility_needs": "Other communication or access needs (optional)",
            "prefers_supporter_gender": "Would like a supporter who is (optional)",
            "prefers_shared_background": "Would like a supporter who shares their background (optional)",
            "prefers_language": "Would like a supporter who speaks (optional)",
            "prefers_lived_experience": "Would like a supporter with experience of (optional)",
            "prefers_supporter_gender_own": "If they described it themselves, in their words",
            "prefers_shared_background_own": "If they described it themselves, in their words",
            "prefers_language_own": "If another language, which",
            "prefers_lived_experience_own": "If they described it themselves, in their words",
            "staff_role": "Staff role (optional)",
            "staff_team": "Staff team (optional)",
            "safe_from": "Send messages no earlier than (optional)",
            "safe_until": "Send messages no later than (optional)",
        }
        help_texts = {
            "safe_from": "UK time, for example 09:00. Messages due earlier wait until then.",
            "safe_until": "UK time, for example 20:00. Messages due later wait until the next day.",
            "prefers_lived_experience": "Only what the person chose to tell us.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "preferred_channel"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        self.fields["kind"].error_messages["required"] = "Select who this person is"
        self.fields["preferred_channel"].error_messages["required"] = (
            "Select how they prefer to be contacted"
        )
        for name in ("relationship", "preferred_name", "email", "phone", "address", "safe_times"):
            self.fields[name].label = f"{self.fields[name].label} (optional)"
        for field, _own, _list in preferences.PREFERENCES.values():
            if field in self.fields:
                self.fields[field].choices = [
                    ("", "No preference"),
                    *self.fields[field].choices[1:],
                ]
        self.fields["matching_consent"].initial = self.instance.matching_consent_at is not None

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter their full name")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return normalise_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("preferred_channel")
        needs = {
            Channel.EMAIL: "email",
            Channel.PHONE: "phone",
            Channel.SMS: "phone",
            Channel.LETTER: "address",
        }
        field = needs.get(channel)
        if field and not cleaned.get(field) and field not in self.errors:
            self.add_error(field, f"Enter their {field} or choose another way to contact them")
        start, end = cleaned.get("safe_from"), cleaned.get("safe_until")
        if start and end and start >= end:
            self.add_error("safe_until", "The latest time must be after the earliest time")
        if cleaned.get("kind") == PersonKind.STAFF and not cleaned.get("staff_team"):
            self.add_error("staff_team", "Enter the team this member of staff works in")
        self._clean_preferences(cleaned)
        return cleaned

    def _clean_preferences(self, cleaned):
        """Gender and background only with the person's consent, recorded when first given."""
        cleaned.update(preferences.clean_values(cleaned))
        special = preferences.gives_special_category(cleaned)
        if special and not cleaned.get("matching_consent"):
            self.add_error(
                "matching_consent",
                "Confirm they agreed to their gender and background being used, or leave"
                " those preferences blank",
            )
        elif special:
            self.instance.matching_consent_at = self.instance.matching_consent_at or timezone.now()
        else:
            self.instance.matching_consent_at = None


CONSENT_CHOICES = [(c.value, c.label) for c in Consent]


class ConsentForm(forms.Form):
    consent_to_contact = forms.ChoiceField(
        label="Have they agreed to be contacted about peer support?",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they agreed to be contacted"},
    )
    consent_to_share = forms.ChoiceField(
        label="Have they agreed that their contact details can be shared with a peer supporter?",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether their details can be shared"},
    )
    method = forms.ChoiceField(
        label="How did they tell you?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        answered = {cleaned.get("consent_to_contact"), cleaned.get("consent_to_share")} - {
            None,
            Consent.NOT_ASKED,
        }
        if answered and not cleaned.get("method"):
            self.add_error("method", "Select how they told you")
        if (
            cleaned.get("consent_to_share") == Consent.GIVEN
            and cleaned.get("consent_to_contact") != Consent.GIVEN
        ):
            self.add_error(
                "consent_to_share", "Details can only be shared if they have agreed to be contacted"
            )
        return cleaned


class AvoidDateForm(forms.ModelForm):
    date = NHSDateField(label="Date to avoid", help_text="For example, 14 1 2027")

    class Meta:
        model = AvoidDate
        fields = ["date", "reason"]
        widgets = {"reason": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [c for c in self.fields["reason"].choices if c[0] != ""]
        self.fields["reason"].error_messages["required"] = "Select the reason"


class ReviewFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Reference, external reference or words in the summary",
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ReviewStatus.choices]
    )
    service = forms.ModelChoiceField(
        label="Service", required=False, queryset=Service.objects.none(), empty_label="Any service"
    )
    response_type = forms.ChoiceField(
        label="Response type",
        required=False,
        choices=[("", "Any response type"), *ResponseType.choices],
    )
    overdue = forms.BooleanField(label="Only reviews with an overdue deadline", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organisation=organisation)


class CloseReferralForm(forms.Form):
    """Why the team closes a request for support (incidents.referrals.close_referral)."""

    reason = forms.ChoiceField(
        label="Why are you closing this request?",
        widget=forms.RadioSelect,
        choices=ReferralCloseReason.choices,
        error_messages={
            "required": "Select why you are closing this request",
            "invalid_choice": "Select why you are closing this request",
        },
    )
