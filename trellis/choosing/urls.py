from django.urls import path

from trellis.choosing import views

public_urls = [
    path("choose/", views.chooser, name="chooser"),
    path("choose/step/", views.chooser_step, name="chooser_step"),
    path("choose/result/", views.chooser_result, name="chooser_result"),
    path("choose/explain/", views.chooser_explain, name="chooser_explain"),
]

org_urls = [
    path("", views.devreq_list, name="devreq_list"),
    path("new/", views.devreq_new, name="devreq_new"),
    path("settings/", views.chooser_config, name="chooser_config"),
    path("<uuid:dev_request_id>/", views.devreq_detail, name="devreq_detail"),
    path("<uuid:dev_request_id>/share/", views.devreq_share, name="devreq_share"),
    path("<uuid:dev_request_id>/act/", views.devreq_act, name="devreq_act"),
]
