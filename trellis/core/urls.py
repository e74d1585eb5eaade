from django.urls import path

from trellis.core import views

public_urls = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
]

account_urls = [
    path("", views.home, name="home"),
    path("orgs/", views.choose_org, name="choose_org"),
    path("mail/", views.outbox, name="outbox"),
    path("mail/<uuid:message_id>/", views.outbox_message, name="outbox_message"),
]

org_urls = [
    path("", views.org_home, name="org_home"),
    path("notifications/", views.notifications, name="notifications"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.member_invite, name="member_invite"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/<uuid:member_id>/", views.member_detail, name="member_detail"),
    path("people/<uuid:member_id>/edit/", views.member_edit, name="member_edit"),
    path("people/<uuid:member_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("audit/", views.audit_log, name="audit_log"),
]
