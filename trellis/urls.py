from django.urls import include, path

from trellis.api import api
from trellis.core import views
from trellis.core.urls import account_urls, org_urls, public_urls

urlpatterns = [
    *public_urls,
    *account_urls,
    path("o/<slug:org_slug>/", include(org_urls)),
    path("api/v1/", api.urls),
]

handler403 = views.forbidden
handler404 = views.not_found
