"""`/api/v1/webhooks/`: a partner's own endpoints, with a `webhooks:manage` key (docs/webhooks.md).

Thin: registration, revocation and redelivery are `incidents.webhooks.services`'.
Another organisation's endpoint is a 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.api.auth import PartnerClient
from incidents.api.permissions import Viewer
from incidents.api.serializers import StrictSerializer, UtcDateTimeField
from incidents.api.views import ERRORS, ApiViewSet
from incidents.models import ApiKeyScope
from incidents.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType
from incidents.webhooks.services import webhook_endpoint_create, webhook_endpoint_revoke, webhook_redeliver

PARTNER = frozenset({Viewer.PARTNER})


def _partner(request: Request) -> PartnerClient:
    """The caller: every action here is open to partners' keys only (action_roles)."""
    user = request.user
    assert isinstance(user, PartnerClient)  # noqa: S101 — RoleAndScope let in no one else
    return user


class WebhookInputSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="https:// only.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices), min_length=1)
    contact_email = serializers.EmailField(required=False, allow_blank=True, help_text="Told if it is disabled.")


class WebhookSerializer(serializers.ModelSerializer):
    created_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "contact_email", "is_active", "disabled_reason", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_…: shown this once; verify signatures with it.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.type", read_only=True)
    event_id = serializers.CharField(source="event.webhook_id", read_only=True)
    delivered_at = UtcDateTimeField(read_only=True, allow_null=True)
    next_attempt_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "event_id", "status", "attempts", "status_code", "delivered_at", "next_attempt_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Your organisation's webhook endpoints"),
    destroy=extend_schema(summary="Revoke an endpoint: nothing more is sent to it"),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = WebhookSerializer
    keyset_ordering = ("created_at", "id")
    action_roles = {"create": PARTNER, "list": PARTNER, "destroy": PARTNER, "deliveries": PARTNER, "redeliver": PARTNER}
    action_scopes = dict.fromkeys(action_roles, ApiKeyScope.WEBHOOKS_MANAGE)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the schema: no request user
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(organisation=_partner(self.request).organisation, revoked_at__isnull=True)

    @extend_schema(
        summary="Register an endpoint; the answer carries its signing secret, shown once",
        request=WebhookInputSerializer,
        responses={201: WebhookCreatedSerializer, 400: ERRORS},
    )
    def create(self, request, *args, **kwargs):
        incoming = WebhookInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(organisation=_partner(request).organisation, **incoming.validated_data)
        return Response(WebhookCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        webhook_endpoint_revoke(endpoint=instance)

    @extend_schema(summary="The endpoint's deliveries, newest first", responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-created_at")[:500]
        return Response(DeliverySerializer(rows, many=True).data)

    @extend_schema(
        summary="Send a delivery again now (same event id and body)",
        request=None,
        responses={202: DeliverySerializer, 400: ERRORS, 404: ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[^/]+)/redeliver")
    def redeliver(self, request, pk=None, delivery_id=None):
        endpoint = self.get_object()
        if not str(delivery_id).isdigit():
            raise Http404
        delivery = get_object_or_404(WebhookDelivery, endpoint=endpoint, pk=int(delivery_id))
        return Response(DeliverySerializer(webhook_redeliver(delivery=delivery)).data, status=status.HTTP_202_ACCEPTED)
