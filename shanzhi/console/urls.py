"""The staff console, ``/console/``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shanzhi.console import (
    views,
    views_actions,
    views_detail,
    views_intake,
    views_routing,
    views_supervision,
    views_workbench,
)
from shanzhi.console.views_api_keys import api_key_revoke, api_keys
from shanzhi.console.views_citizen_requests import citizen_requests
from shanzhi.console.views_two_factor import TwoFactorLoginView, two_factor_enrol, two_factor_verify

app_name = "console"

urlpatterns = [
    path("", views_workbench.workbench, name="workbench"),
    path("login/", TwoFactorLoginView.as_view(), name="login"),
    path("login/code/", two_factor_verify, name="two_factor_verify"),
    path("security/two-factor/", two_factor_enrol, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", views.search, name="search"),
    path("intake/", views_intake.intake, name="intake"),
    path("intake/history/", views_intake.caller_history, name="caller_history"),
    path("intake/suggest/", views_intake.intake_suggest, name="intake_suggest"),
    path("intake/duplicates/", views_intake.intake_duplicate_check, name="intake_duplicates"),
    path("appeals/<int:pk>/", views_detail.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/reveal/", views_detail.reveal_personal_data, name="reveal"),
    path("appeals/<int:pk>/files/<int:attachment_id>/", views_detail.appeal_attachment, name="attachment"),
    path("appeals/<int:pk>/actions/<slug:code>/", views_actions.appeal_action, name="action"),
    path("appeals/<int:pk>/suggestion/", views_routing.dispatch_suggestion, name="dispatch_suggestion"),
    path("duplicates/", views_routing.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/<slug:decision>/", views_routing.duplicate_decide, name="duplicate_decide"),
    path("hotspots/", views_routing.hotspots, name="hotspots"),
    path("hotspots/<int:pk>/decide/", views_routing.hotspot_action, name="hotspot_decide"),
    path("assignments/sign/", views_workbench.bulk_sign, name="bulk_sign"),
    path("supervision/", views.supervision, name="supervision"),
    path("analysis/", views.analysis, name="analysis"),
    # 督办单: the unit replies; the centre issues, urges, sends back and closes.
    path("supervision-orders/", views_supervision.order_list, name="supervision_orders"),
    path("supervision-orders/<int:order_id>/", views_supervision.order_detail, name="supervision_order"),
    path("supervision-orders/<int:order_id>/reply/", views_supervision.order_reply, name="supervision_reply"),
    path("supervision-orders/<int:order_id>/urge/", views_supervision.order_urge, name="supervision_urge"),
    path("supervision-orders/<int:order_id>/reject/", views_supervision.order_reject, name="supervision_reject"),
    path("supervision-orders/<int:order_id>/close/", views_supervision.order_close, name="supervision_close"),
    path("appeals/<int:pk>/supervise/", views_supervision.order_issue, name="supervision_issue"),
    path("security/api-keys/", api_keys, name="api_keys"),
    path("security/api-keys/<str:prefix>/revoke/", api_key_revoke, name="api_key_revoke"),
    path("security/citizen-requests/", citizen_requests, name="citizen_requests"),
]
