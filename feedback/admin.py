from django.contrib import admin

from feedback.models import AccessToken


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
