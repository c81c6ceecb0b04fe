from django.contrib import admin

from supporters.models import (
    CodeOfConduct,
    Contact,
    Course,
    GroupDebrief,
    PeerSupporter,
    Resource,
    SignpostService,
    SupportOffer,
)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Administrators choose which courses are mandatory for matching."""

    list_display = ("name", "mandatory", "valid_for_months")
    list_editable = ("mandatory", "valid_for_months")


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(admin.ModelAdmin):
    """A new version must be accepted again by every supporter before they see anyone."""

    list_display = ("version", "published_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PeerSupporter)
class PeerSupporterAdmin(admin.ModelAdmin):
    list_display = ("user", "pool", "status", "capacity")
    list_filter = ("pool", "status", "organisations")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    filter_horizontal = ("organisations", "conflicts")
    autocomplete_fields = ("user", "supervisor")


@admin.register(SupportOffer)
class SupportOfferAdmin(admin.ModelAdmin):
    """Read-only: offers change through the team's pages so every change is recorded."""

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
    list_display = ("name", "phone", "website", "for_staff", "for_families")
    search_fields = ("name",)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "url")
    list_filter = ("kind",)


@admin.register(GroupDebrief)
class GroupDebriefAdmin(admin.ModelAdmin):
    list_display = ("team", "organisation", "held_on", "attendance")
    list_filter = ("organisation",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Behind the confidentiality wall: the note is never shown or editable here."""

    list_display = ("happened_on", "mode", "minutes", "supporter")
    fields = ("offer", "supporter", "happened_on", "mode", "minutes", "topics", "signposted_to")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
