"""Bulk import of reports (CSV, XLSX, JSONL): upload, preview, confirm, background import (docs/imports.md)."""
