from django.urls import include, path

from trellis.admin_site import site as admin_site
from trellis.api import api
from trellis.choosing import urls as choosing_urls
from trellis.content import urls as content_urls
from trellis.core import views
from trellis.core.urls import account_urls, org_urls, public_urls
from trellis.mentoring import urls as mentoring_urls

urlpatterns = [
    *public_urls,
    *account_urls,
    path("o/<slug:org_slug>/", include(org_urls)),
    *choosing_urls.public_urls,
    path("o/<slug:org_slug>/development/", include(choosing_urls.org_urls)),
    path("o/<slug:org_slug>/training/", include("trellis.training.urls")),
    path("o/<slug:org_slug>/coaching/", include("trellis.coaching.urls")),
    path("o/<slug:org_slug>/mentoring/", include("trellis.mentoring.urls")),
    *mentoring_urls.public_urls,
    path("blog/", include(content_urls.blog_urls)),
    *content_urls.site_urls,
    *content_urls.account_urls,
    path("o/<slug:org_slug>/content/", include(content_urls.org_urls)),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]

handler403 = views.forbidden
handler404 = views.not_found
