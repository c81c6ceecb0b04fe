from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from feedback import services
from feedback.models import (
    AccessToken,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
)


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are made by the service, and a hash is no use to anyone to edit."""

    list_display = ("id", "purpose", "object_type", "object_id", "expires_at", "used_at")
    list_filter = ("purpose",)
    fields = (
        "purpose",
        "object_type",
        "object_id",
        "person",
        "user",
        "created_at",
        "expires_at",
        "used_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Surveys ----------------------------------------------------------------------------------------


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Name and introduction; the questions are changed on the current version's page."""

    audit_views = False  # configuration: nothing about a person (peersupport.admin_wall)

    list_display = ("name", "audience", "current")
    fields = ("slug", "name", "audience", "intro", "current")
    readonly_fields = ("current",)

    def get_readonly_fields(self, request, obj=None):
        # The slug and audience choose who is sent the questionnaire: fixed once it exists.
        return ("slug", "audience", "current") if obj else ("current",)

    @admin.display(description="Current version")
    def current(self, obj):
        version = obj.current_version if obj.pk else None
        if version is None:
            return "None yet"
        url = reverse("admin:feedback_questionnaireversion_change", args=[version.pk])
        return format_html('<a href="{}">Version {}: change its questions</a>', url, version.number)

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("order", "code", "kind", "text", "hint", "required")
    extra = 0


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    """A version is never rewritten: saving a change to its questions makes the next version,
    with a copy of every question, so responses already given keep the wording they answered."""

    audit_views = False

    list_display = ("questionnaire", "number", "created_at")
    list_filter = ("questionnaire",)
    inlines = [QuestionInline]
    fields = ("questionnaire", "number", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return ("questionnaire", "number", "created_at") if obj else ("number", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            latest = obj.questionnaire.versions.order_by("-number").first()
            obj.number = (latest.number if latest else 0) + 1
            obj.save()

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:  # what the admin's change message reads
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not any(formset.has_changed() for formset in formsets):
            return None
        questions = []
        for formset in formsets:
            for inline in formset.forms:
                if inline in formset.deleted_forms or not inline.cleaned_data:
                    continue
                if inline.instance.pk is None and not inline.has_changed():
                    continue
                question = inline.save(commit=False)
                questions.append({f: getattr(question, f) for f in services.QUESTION_FIELDS})
        version = services.new_version(form.instance.questionnaire, questions)
        # Carry on to the new version's page, and leave the one that was shown as it was.
        form.instance.pk, form.instance.number = version.pk, version.number
        return None


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made by the service (feedback.invitations)."""

    list_display = (
        "id",
        "questionnaire",
        "organisation",
        "created_at",
        "sent_at",
        "completed_at",
        "opted_out_at",
        "expires_at",
    )
    list_filter = ("questionnaire", "organisation")
    fields = list_display[1:] + ("reminded_at",)
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
