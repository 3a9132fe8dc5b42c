from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from antt.core import views as core_views

# One door: the admin signs in through ANTT's own sign-in (password, lockout, second factor).
admin.site.login = core_views.admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the API's JSON, files): the app's icon.
    path("favicon.ico", core_views.favicon, name="favicon"),
    # The API before the pages: the phone app's requests are the many (no page path starts with api/).
    path("api/v1/", include(("antt.api_urls", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("antt.accounts.urls")),
    path("events/", include("antt.events.urls")),
    path("events/", include("antt.forces.urls")),
    path("events/", include("antt.planning.urls")),
    path("events/", include("antt.interop.urls")),
    path("events/", include("antt.plans.urls")),
    path("events/", include("antt.rostering.urls")),
    path("", include("antt.reports.urls")),
    path("events/", include("antt.documents.urls")),
    path("events/", include("antt.operations.urls")),
    path("", include("antt.events.audit_urls")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "antt.core.views.bad_request"
handler403 = "antt.core.views.permission_denied"
handler404 = "antt.core.views.page_not_found"
handler500 = "antt.core.views.server_error"
