"""Public pages for people answering from a link (no login), and the team's survey pages;
namespace "feedback"."""

from django.urls import path

from feedback import views, views_results, views_survey, views_team

app_name = "feedback"

urlpatterns = [
    path("offer/t/<str:token>/", views.offer_token, name="offer_token"),
    path("offer/answer/", views.offer_answer, name="offer_answer"),
    path("offer/answer/thank-you/", views.offer_thanks, name="offer_thanks"),
    # Surveys: the public pages, a supporter's own survey, and the team's export. The results
    # page (surveys/results/, "survey_results") is reporting's: peersupport.urls adds it here.
    path("survey/t/<str:token>/", views_survey.survey_token, name="survey_token"),
    path("survey/", views_survey.survey, name="survey"),
    path("survey/thank-you/", views_survey.survey_thanks, name="survey_thanks"),
    path("survey/stop-messages/", views_survey.survey_opt_out, name="survey_opt_out"),
    path("survey/messages-stopped/", views_survey.survey_opted_out, name="survey_opted_out"),
    path("surveys/mine/", views_survey.survey_mine, name="survey_mine"),
    path("surveys/results/responses.csv", views_results.survey_export, name="survey_export"),
    # The team stops a survey held while a concern is open, or not sent yet.
    path("surveys/<int:pk>/cancel/", views_team.invitation_cancel, name="invitation_cancel"),
]
