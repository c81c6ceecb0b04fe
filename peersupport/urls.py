from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from peersupport import views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Peer support administration"
admin.site.site_title = "Peer support administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("alerts/", views.alerts, name="alerts"),
    # Invited accounts keep the email an administrator gave them: no self-service email pages.
    path("accounts/email/", views.not_offered, name="account_email"),
    path("accounts/confirm-email/", views.not_offered, name="account_email_verification_sent"),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        views.not_offered,
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("incidents.urls")),
    path("", include("supporters.urls")),
    path("", include(("supporters.urls_practice", "practice"), namespace="practice")),
    path("", include(("supporters.urls_oversight", "oversight"), namespace="oversight")),
    path("", include(("incidents.urls_public", "public"), namespace="public")),
    path("", include("feedback.urls")),
]
