from django.urls import path

from trellis.coaching import views

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
]
