"""The partner API v1 (Django REST framework): see docs/api.md and docs/contract.md."""
