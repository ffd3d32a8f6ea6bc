"""The partner API v1 (Django REST framework): see docs/api.md and PRODUCT.md, "Partner API v1"."""
