from django.contrib import admin

from supporters.models import (
    CodeOfConduct,
    Contact,
    Course,
    GroupDebrief,
    PeerSupporter,
    Resource,
    SignpostService,
    SupervisorAssignment,
    SupportOffer,
)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Administrators choose which courses are mandatory for matching."""

    audit_views = False  # configuration: nothing about a person (peersupport.admin_wall)

    list_display = ("name", "mandatory", "valid_for_months")
    list_editable = ("mandatory", "valid_for_months")


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(admin.ModelAdmin):
    """A new version must be accepted again by every supporter before they see anyone."""

    audit_views = False

    list_display = ("version", "published_at")

    def has_change_permission(self, request, obj=None):
        return False


class SupervisorAssignmentInline(admin.TabularInline):
    """Shown, not edited: the team names a supervisor for each organisation on the supporter's
    page (supporters.services.name_supervisor), which audits the change and raises the alert."""

    model = SupervisorAssignment
    fields = ("organisation", "supervisor", "named_at", "named_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PeerSupporter)
class PeerSupporterAdmin(admin.ModelAdmin):
    inlines = (SupervisorAssignmentInline,)
    list_display = ("user", "pool", "status", "capacity")
    list_filter = ("pool", "status", "organisations")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    filter_horizontal = ("organisations", "conflicts")
    autocomplete_fields = ("user", "supervisor")


@admin.register(SupportOffer)
class SupportOfferAdmin(admin.ModelAdmin):
    """Read-only: offers change through the team's pages so every change is recorded."""

    audit_name = "offer"

    list_display = ("id", "status", "supporter", "offered_via", "created_at")
    list_filter = ("status",)
    fields = (
        "person",
        "supporter",
        "status",
        "offered_via",
        "offered_at",
        "close_reason",
        "previous",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SignpostService)
class SignpostServiceAdmin(admin.ModelAdmin):
    audit_views = False
    list_display = ("name", "phone", "website", "for_staff", "for_families")
    search_fields = ("name",)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    audit_views = False
    list_display = ("title", "kind", "url")
    list_filter = ("kind",)


@admin.register(GroupDebrief)
class GroupDebriefAdmin(admin.ModelAdmin):
    list_display = ("team", "organisation", "held_on", "attendance")
    list_filter = ("organisation",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Behind the confidentiality wall: the note is never shown, edited, filtered, searched or
    sorted on here (peersupport.admin_wall refuses any lookup that reaches it)."""

    list_display = ("happened_on", "mode", "minutes", "supporter")
    fields = ("offer", "supporter", "happened_on", "mode", "minutes", "topics", "signposted_to")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
