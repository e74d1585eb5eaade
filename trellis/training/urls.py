from django.urls import path

from trellis.training import views

urlpatterns = [
    path("", views.index, name="training_index"),
    path("check-in/", views.check_in, name="training_check_in"),
    path("review/", views.review, name="training_review"),
    path("review/<uuid:card_id>/", views.answer, name="training_answer"),
    path("pause/", views.pause, name="training_pause"),
    path("retention/", views.retention, name="training_retention"),
    path("teaching/", views.teaching, name="training_teaching"),
    path("team/", views.team, name="training_team"),
    path("people/<uuid:member_id>/", views.learner, name="training_learner"),
    path("programs/new/", views.program_new, name="training_program_new"),
    path("programs/<uuid:program_id>/", views.program, name="training_program"),
    path("programs/<uuid:program_id>/edit/", views.program_edit, name="training_program_edit"),
    path("programs/<uuid:program_id>/cohorts/new/", views.cohort_new, name="training_cohort_new"),
    path("programs/<uuid:program_id>/items/new/", views.item_new, name="training_item_new"),
    path("programs/<uuid:program_id>/report/", views.program_report, name="training_report"),
    path("cohorts/<uuid:cohort_id>/", views.cohort, name="training_cohort"),
    path("cohorts/<uuid:cohort_id>/enrol/", views.enrol, name="training_enrol"),
    path("cohorts/<uuid:cohort_id>/sessions/new/", views.session_new, name="training_session_new"),
]
