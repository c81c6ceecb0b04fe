"""The team's oversight pages: included with the namespace `oversight` (peersupport/urls.py)."""

from django.urls import path

from supporters.oversight import views

app_name = "oversight"

urlpatterns = [
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<int:pk>/", views.supervisee, name="supervisee"),
    path(
        "supervision/check-ins/<int:pk>/follow-up/",
        views.checkin_follow_up,
        name="checkin_follow_up",
    ),
    path("debriefs/", views.debrief_list, name="debrief_list"),
    path("debriefs/new/", views.debrief_add, name="debrief_add"),
]
