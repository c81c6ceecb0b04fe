from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpResponse

from peersupport import audit
from peersupport.models import AuditEvent, Message, PublicPage, TimingRule, User
from peersupport.outbox import reschedule_rule, retry
from peersupport.services import deactivate_user, reset_mfa, send_account_invitation


class UserCreationForm(forms.ModelForm):
    """No password here: the new user sets their own from the invitation email."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "groups")

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Administrators create accounts with a role; the person then sets their own password."""

    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Role and access", {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "groups")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["invite", "reset_two_factor"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            deactivate_user(obj, request=request)

    @admin.action(description="Reset two-factor authentication (they set up a new app)")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            reset_mfa(user, request=request)
        self.message_user(
            request,
            f"Two-factor authentication reset for {queryset.count()} people. They have been "
            "logged out and will set up a new authenticator app when they next log in.",
            messages.SUCCESS,
        )

    @admin.action(description="Send an email inviting them to set a password")
    def invite(self, request, queryset):
        for user in queryset:
            send_account_invitation(user, request=request)
        self.message_user(
            request, f"Invitations sent to {queryset.count()} people.", messages.SUCCESS
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, edit or delete page (PostgreSQL refuses UPDATE and DELETE too).
    Search by who, action, record or address; an email address also finds the failed logins
    typed with it (they keep only a keyed hash). The CSV export is itself audited."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_type", "object_id", "ip_address")
    search_help_text = "Who (email), action, record type or id, or address."
    date_hierarchy = "at"
    actions = ["export_csv"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            typed = queryset.filter(detail__login_hash=audit.keyed_hash(search_term))
            results = results | typed
        return results, may_have_duplicates

    @admin.action(description="Export the selected events as CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        count = audit.write_csv(queryset.order_by("at", "id"), response)
        audit.record("audit.exported", request=request, rows=count)
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimingRule)
class TimingRuleAdmin(admin.ModelAdmin):
    """Administrators change delays here; every message still waiting on a rule moves with it
    (or is cancelled when the rule is switched off)."""

    audit_views = False  # configuration, audited as timing_rule.changed (peersupport.admin_wall)

    list_display = ("key", "description", "delay", "unit", "before", "enabled")
    list_editable = ("delay", "unit", "enabled")
    readonly_fields = ("key", "before")

    def save_model(self, request, obj, form, change):

        super().save_model(request, obj, form, change)
        moved = reschedule_rule(obj.key)
        audit.record("timing_rule.changed", request=request, obj=obj, moved=moved)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox. Addresses are never stored here: only kinds, ids and states."""

    list_display = ("kind", "channel", "status", "due_at", "attempts", "sent_at", "last_error")
    list_filter = ("status", "channel", "kind")
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected failed messages")
    def retry_failed(self, request, queryset):

        for message in queryset.filter(status="failed"):
            retry(message)
        self.message_user(request, "Failed messages queued again.", messages.SUCCESS)


@admin.register(PublicPage)
class PublicPageAdmin(admin.ModelAdmin):
    """The privacy notice and accessibility statement: their text is edited here. The pages
    themselves must always exist, so they are never added or deleted."""

    audit_views = False

    list_display = ("title", "slug", "updated_at")
    fields = ("title", "slug", "body", "updated_at")
    readonly_fields = ("slug", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
