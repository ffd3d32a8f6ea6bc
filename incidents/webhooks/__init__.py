"""Signed webhooks to partners (Standard Webhooks): endpoints, the outbox, deliveries. See docs/webhooks.md."""
