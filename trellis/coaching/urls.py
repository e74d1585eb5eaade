from django.urls import path

from trellis.coaching import running_views, starting_views, views

urlpatterns = [
    path("", views.index, name="coaching_index"),
    path("journal/", views.journal, name="coaching_journal"),
    path("settings/", views.settings_page, name="coaching_settings"),
    path("credentials/verify/", views.verify_credential, name="coaching_verify_credential"),
    path("engagements/<uuid:engagement_id>/", views.engagement, name="coaching_engagement"),
    path("engagements/<uuid:engagement_id>/objectives/", views.objective_new, name="coaching_objective_new"),
    path("engagements/<uuid:engagement_id>/objectives/share/", views.objective_share, name="coaching_objective_share"),
    path("engagements/<uuid:engagement_id>/commitments/", views.commitment_new, name="coaching_commitment_new"),
    path(
        "engagements/<uuid:engagement_id>/commitments/propose/",
        views.commitment_propose,
        name="coaching_commitment_propose",
    ),
    path("engagements/<uuid:engagement_id>/prep/", views.prep, name="coaching_prep"),
    path("engagements/<uuid:engagement_id>/notes/", views.note_new, name="coaching_note_new"),
    path("engagements/<uuid:engagement_id>/referral/", views.referral, name="coaching_referral"),
    path("engagements/<uuid:engagement_id>/resume/", views.resume, name="coaching_resume"),
    path("engagements/<uuid:engagement_id>/manager/", views.manager_opt, name="coaching_manager_opt"),
    path("engagements/<uuid:engagement_id>/agreement/", views.accept_agreement, name="coaching_agreement_accept"),
    path("engagements/<uuid:engagement_id>/access-log/", views.access_log, name="coaching_access_log"),
    path("commitments/<uuid:commitment_id>/", views.commitment_edit, name="coaching_commitment_edit"),
    # Running an engagement (trellis/coaching/running_views.py)
    path("engagements/<uuid:engagement_id>/sessions/", running_views.session_new, name="coaching_session_new"),
    path(
        "engagements/<uuid:engagement_id>/sessions/change/",
        running_views.session_change,
        name="coaching_session_change",
    ),
    path("engagements/<uuid:engagement_id>/sessions/mark/", running_views.session_mark, name="coaching_session_mark"),
    path("engagements/<uuid:engagement_id>/review/", running_views.review, name="coaching_review"),
    path("engagements/<uuid:engagement_id>/review/record/", running_views.review_record, name="coaching_review_record"),
    path("engagements/<uuid:engagement_id>/review/rate/", running_views.review_rate, name="coaching_review_rate"),
    path("engagements/<uuid:engagement_id>/close/", running_views.close, name="coaching_close"),
    path("questions/", running_views.questions, name="coaching_questions"),
    path("questions/organization/", running_views.question_org, name="coaching_question_org"),
    path("questions/mine/", running_views.question_own, name="coaching_question_own"),
    path("credentials/mine/", running_views.credentials, name="coaching_credentials"),
    path("credentials/<uuid:credential_id>/evidence/", running_views.evidence, name="coaching_credential_evidence"),
    path(
        "credentials/<uuid:credential_id>/evidence/upload/",
        running_views.evidence_upload,
        name="coaching_credential_evidence_upload",
    ),
    # Starting an engagement (trellis/coaching/starting_views.py)
    path("requests/", starting_views.requests_index, name="coaching_requests"),
    path("requests/new/", starting_views.request_new, name="coaching_request_new"),
    path("requests/<uuid:request_id>/", starting_views.request_detail, name="coaching_request"),
    path("requests/<uuid:request_id>/calls/", starting_views.call_book, name="coaching_call_book"),
    path("requests/<uuid:request_id>/calls/mark/", starting_views.call_mark, name="coaching_call_mark"),
    path("requests/<uuid:request_id>/choose/", starting_views.choose, name="coaching_request_choose"),
    path("requests/<uuid:request_id>/respond/", starting_views.respond, name="coaching_request_respond"),
    path("requests/<uuid:request_id>/withdraw/", starting_views.withdraw, name="coaching_request_withdraw"),
    path("engagements/<uuid:engagement_id>/agreement/versions/", starting_views.agreement, name="coaching_agreement"),
    path(
        "engagements/<uuid:engagement_id>/agreement/change/",
        starting_views.agreement_change,
        name="coaching_agreement_change",
    ),
]
