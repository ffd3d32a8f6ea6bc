"""Routes of the monitors' web. URL names are global (no namespace) so the admin and the API reverse them as is."""

from django.urls import path

from reports.web import accounts, attachment_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/", views.my_reports, name="my-reports"),
    path("reports/<uuid:pk>/", views.report_detail, name="report-detail"),
    path("reports/<uuid:pk>/amend/", views.report_amend_view, name="report-amend"),
    path("attachments/<uuid:pk>/", attachment_views.attachment_stripped, name="attachment-stripped"),
    path("attachments/<uuid:pk>/original/", attachment_views.attachment_original, name="attachment-original"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", accounts.SignOutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/password/done/", accounts.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("language/", accounts.language_set, name="language-set"),
]
