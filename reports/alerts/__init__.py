"""Alerts to reviewers on duty: rules, the admin, e-mail, the digest of waiting reports (docs/alerts.md)."""
