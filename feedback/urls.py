"""Public pages for people answering from a link (no login); namespace "feedback"."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("offer/t/<str:token>/", views.offer_token, name="offer_token"),
    path("offer/answer/", views.offer_answer, name="offer_answer"),
    path("offer/answer/thank-you/", views.offer_thanks, name="offer_thanks"),
]
