"""Routes of the partner API v1 (namespace "api"). The contract: docs/contract.md."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from incidents.api import views
from incidents.api.docs import DocsView, SchemaView
from incidents.api.imports import ImportViewSet
from incidents.api.webhooks import WebhookViewSet

app_name = "api"

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("aggregates/daily", views.DailyAggregateViewSet, basename="aggregate")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("areas", views.AreaViewSet, basename="area")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("imports", ImportViewSet, basename="import")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("", include(router.urls)),
]
