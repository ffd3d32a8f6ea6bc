"""Routes of the situation room (namespace "situation"), under /situation/."""

from django.urls import path

from incidents.situation import views

app_name = "situation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("points.json", views.map_points_json, name="map-points"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<uuid:pk>/", views.report_status, name="report-status"),
    path("reports/<uuid:pk>/progress/", views.report_progress, name="report-progress"),
    path("reports/<uuid:pk>/report.html", views.report_html, name="report-html"),
    path("reports/<uuid:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("reports/<uuid:pk>/partners.html", views.report_partner_html, name="report-partner-html"),
    path("reports/<uuid:pk>/partners.pdf", views.report_partner_pdf, name="report-partner-pdf"),
    path("reports/<uuid:pk>/publish/", views.report_publish, name="report-publish"),
]
