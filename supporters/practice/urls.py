"""Support in practice: included with the namespace `practice` (peersupport/urls.py)."""

from django.urls import path

from supporters.practice import views

app_name = "practice"

urlpatterns = [
    path("my-people/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("my-people/<int:pk>/concerns/new/", views.concern_raise, name="concern_raise"),
    path("wellbeing/", views.checkin, name="checkin"),
    path("resources/", views.resources, name="resources"),
    path("signposting/", views.signposting, name="signposting"),
]
