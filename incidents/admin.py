from collections.abc import Callable
from typing import ClassVar

from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from incidents import services
from incidents.models import (
    AffectedPerson,
    DeadlineRule,
    Organisation,
    Review,
    ReviewNaming,
    SelfReferral,
    Service,
    TeamMember,
)


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "nation", "lead")
    inlines = [ServiceInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation")
    list_filter = ("organisation",)
    autocomplete_fields = ("user",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Editing a rule moves the due dates of every open review at once."""

    audit_views = False  # configuration: nothing about a person (peersupport.admin_wall)

    list_display = ("kind", "nation", "response_type", "working_days", "source")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved = services.recompute_open_review_deadlines()
        messages.info(request, f"Deadlines recalculated: {moved} open reviews changed.")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.recompute_open_review_deadlines()


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    """Read-only here: the team works on reviews through the service's own pages."""

    list_display = ("reference", "organisation", "status", "response_type", "reported_date")
    list_filter = ("organisation", "status", "response_type")
    search_fields = ("reference",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReviewNaming)
class ReviewNamingAdmin(admin.ModelAdmin):
    """Read-only: who was named on a review and when. Written only by
    incidents.services.change_naming; the confidentiality wall reads every row."""

    list_display = ("review", "user", "role", "named_at", "removed_at")
    list_filter = ("role",)
    search_fields = ("review__reference",)
    fields = ("review", "user", "role", "named_at", "named_by", "removed_at", "removed_by")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AffectedPerson)
class AffectedPersonAdmin(admin.ModelAdmin):
    """Only ids and status here: identifiable details stay on the audited team pages, and on
    the privacy pages (peersupport/privacy/views.py), which are audited too."""

    audit_name = "person"
    # The one hook for pages a higher layer adds here, as (route, view, URL name): privacy
    # operations add the subject access export and the answer to a request to erase
    # (peersupport.privacy.views.PERSON_ADMIN_PAGES), set by the root URL configuration.
    extra_pages: ClassVar[list[tuple[str, Callable, str]]] = []

    list_display = ("id", "review", "kind", "consent_to_contact", "do_not_contact")
    list_filter = ("kind", "consent_to_contact")
    fields = (
        "review",
        "kind",
        "consent_to_contact",
        "consent_to_share",
        "do_not_contact",
        "privacy",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        pages = [path(route, wrap(view), name=name) for route, view, name in self.extra_pages]
        return [*pages, *super().get_urls()]

    @admin.display(description="Privacy")
    def privacy(self, obj):
        return format_html(
            '<a href="{}">Subject access export</a> · <a href="{}">Request to erase</a>',
            reverse("admin:incidents_affectedperson_subject_access", args=[obj.pk]),
            reverse("admin:incidents_affectedperson_erasure", args=[obj.pk]),
        )


@admin.register(SelfReferral)
class SelfReferralAdmin(admin.ModelAdmin):
    """Read-only, and ids and dates only: the team reads and converts requests on their own
    audited pages (public:referral_detail)."""

    audit_name = "referral"

    list_display = ("id", "organisation", "created_at", "converted_at")
    list_filter = ("organisation",)
    fields = ("organisation", "contact_how", "created_at", "review", "converted_at")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
