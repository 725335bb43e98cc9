from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from shanzhi.core.observability import health
from shanzhi.core.observability import views as observability_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability_views.metrics_view, name="metrics"),
    path("", RedirectView.as_view(pattern_name="console:workbench", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("console/kb/", include("shanzhi.knowledge.console_urls")),
    path("console/dashboard/", RedirectView.as_view(pattern_name="reports:dashboard", permanent=False)),
    path("console/reports/", include("shanzhi.reports.urls")),
    path("console/grid/", include("shanzhi.grid.urls")),
    path("console/datahub/", include("shanzhi.datahub.urls")),
    path("console/iot/", include("shanzhi.iot.urls")),
    path("console/mediation/", include("shanzhi.mediation.urls")),
    path("console/cogovern/", include("shanzhi.cogovern.urls")),
    path("console/exchange/", include("shanzhi.exchange.urls")),
    path("console/", include("shanzhi.console.urls")),
    path("m/kb/", include("shanzhi.knowledge.portal_urls")),
    path("m/d/", include("shanzhi.portal.doorplate_urls")),
    path("m/grid/", include("shanzhi.grid.phone_urls")),
    path("m/mediation/", include("shanzhi.mediation.portal_urls")),
    path("m/cogovern/", include("shanzhi.cogovern.portal_urls")),
    path("m/", include("shanzhi.portal.urls")),
    path("api/v1/", include("shanzhi.api_urls")),
    path("open311/v2/", include("shanzhi.open311.urls")),
]

# Uploaded files have no public address (shanzhi.core.file_responses): no /media/ route, in development either.
