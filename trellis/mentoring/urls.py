from django.urls import path

from trellis.mentoring import views

urlpatterns: list = [
    # Programs, profiles, applications, matching (program side)
    path("", views.index, name="mentoring_index"),
    path("programs/new/", views.program_new, name="mentoring_program_new"),
    path("programs/<uuid:mentoring_program_id>/", views.program_page, name="mentoring_program"),
    path("programs/<uuid:mentoring_program_id>/edit/", views.program_edit, name="mentoring_program_edit"),
    path("programs/<uuid:mentoring_program_id>/status/", views.program_status, name="mentoring_program_status"),
    path("programs/<uuid:mentoring_program_id>/invite/", views.program_invite, name="mentoring_program_invite"),
    path(
        "programs/<uuid:mentoring_program_id>/invite-mentor/",
        views.program_invite_external,
        name="mentoring_program_invite_external",
    ),
    path("programs/<uuid:mentoring_program_id>/mentor/", views.mentor_profile, name="mentoring_mentor_profile"),
    path("programs/<uuid:mentoring_program_id>/apply/", views.apply, name="mentoring_apply"),
    path("programs/<uuid:mentoring_program_id>/runs/", views.run_start, name="mentoring_run_start"),
    path("programs/<uuid:mentoring_program_id>/dashboard/", views.dashboard, name="mentoring_dashboard"),
    path("applications/<uuid:application_id>/", views.application_page, name="mentoring_application"),
    path("applications/<uuid:application_id>/goals/", views.application_goal, name="mentoring_application_goal"),
    path(
        "applications/<uuid:application_id>/preferences/",
        views.application_preferences,
        name="mentoring_application_preferences",
    ),
    path(
        "applications/<uuid:application_id>/request/", views.application_request, name="mentoring_application_request"
    ),
    path(
        "applications/<uuid:application_id>/withdraw/",
        views.application_withdraw,
        name="mentoring_application_withdraw",
    ),
    path("runs/<uuid:run_id>/", views.run_page, name="mentoring_run"),
    path("runs/<uuid:run_id>/swap/", views.run_swap, name="mentoring_run_swap"),
    path("runs/<uuid:run_id>/publish/", views.run_publish, name="mentoring_run_publish"),
    path("runs/<uuid:run_id>/discard/", views.run_discard, name="mentoring_run_discard"),
    path("pairs/<uuid:pair_id>/respond/", views.pair_respond, name="mentoring_pair_respond"),
    path("pairs/<uuid:pair_id>/rematch/", views.pair_rematch, name="mentoring_pair_rematch"),
    # Pairs and what happens in them (pair side)
    path("mine/", views.my_mentoring, name="mentoring_mine"),
    path("pairs/<uuid:pair_id>/", views.pair_page, name="mentoring_pair"),
    path("pairs/<uuid:pair_id>/goals/", views.goal_new, name="mentoring_goal_new"),
    path("pairs/<uuid:pair_id>/meetings/", views.meeting_new, name="mentoring_meeting_new"),
    path("pairs/<uuid:pair_id>/notes/", views.note_new, name="mentoring_note_new"),
    path("pairs/<uuid:pair_id>/suggestions/", views.suggestion_new, name="mentoring_suggestion_new"),
    path("pairs/<uuid:pair_id>/introductions/", views.introduction_new, name="mentoring_introduction_new"),
    path("pairs/<uuid:pair_id>/end/", views.pair_end, name="mentoring_pair_end"),
    path("pairs/<uuid:pair_id>/reflection/", views.reflection, name="mentoring_reflection"),
    path("goals/<uuid:goal_id>/", views.goal_edit, name="mentoring_goal"),
    path("meetings/<uuid:meeting_id>/", views.meeting_edit, name="mentoring_meeting"),
    path("meetings/<uuid:meeting_id>/record/", views.meeting_record, name="mentoring_meeting_record"),
    path("notes/<uuid:note_id>/", views.note_page, name="mentoring_note"),
    path("notes/<uuid:note_id>/edit/", views.note_edit, name="mentoring_note_edit"),
    path("notes/<uuid:note_id>/share/", views.note_share, name="mentoring_note_share"),
    path("suggestions/<uuid:suggestion_id>/", views.suggestion_respond, name="mentoring_suggestion"),
    path("introductions/<uuid:introduction_id>/", views.introduction_page, name="mentoring_introduction"),
    path(
        "introductions/<uuid:introduction_id>/decide/", views.introduction_decide, name="mentoring_introduction_decide"
    ),
]

# An outsider's signed introduction link (no account, no organization in the URL): mounted at /mentoring/.
public_urls = [
    path("mentoring/introductions/<str:token>/", views.introduction_public, name="mentoring_intro_public"),
]
