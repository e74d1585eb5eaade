from django.urls import path

from trellis.content import views

# /blog/… — published articles, feeds and the subscription pages (anyone). Article slugs never take the
# reserved words of these paths (services.RESERVED_SLUGS).
blog_urls = [
    path("", views.blog, name="blog"),
    path("feed.atom", views.blog_feed, name="blog_feed"),
    path("subscribe/", views.subscribe, name="blog_subscribe"),
    path("confirm/<str:token>/", views.confirm, name="blog_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="blog_unsubscribe"),
    path("tags/<slug:tag>/", views.blog_tag, name="blog_tag"),
    path("tags/<slug:tag>/feed.atom", views.blog_tag_feed, name="blog_tag_feed"),
    path("<slug:article_slug>/", views.blog_article, name="blog_article"),
]

site_urls = [path("sitemap.xml", views.sitemap, name="sitemap")]

account_urls = [path("settings/subscription/", views.subscription_settings, name="subscription_settings")]

# /o/<org_slug>/content/… — the organization's editors write, preview and publish.
org_urls = [
    path("", views.articles, name="content_articles"),
    path("new/", views.article_new, name="content_article_new"),
    path("<uuid:article_id>/", views.article_edit, name="content_article_edit"),
    path("<uuid:article_id>/preview/", views.article_preview, name="content_article_preview"),
    path("<uuid:article_id>/publish/", views.article_publish, name="content_article_publish"),
]
