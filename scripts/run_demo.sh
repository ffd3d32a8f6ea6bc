#!/usr/bin/env bash
# Run Sijil with the embedded default: SQLite, tasks in-process, the demo data.
# Called by `make run`; HOST, PORT and DATABASE_URL may be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
# The local demo only: the admin without a one-time code (refused unless SIJIL_DEMO=1).
export DEBUG=1 SIJIL_DEMO=1 SIJIL_ADMIN_2FA=0 CELERY_BROKER_URL=
export DATABASE_URL=${SIJIL_DEMO_DATABASE_URL:-sqlite:///$(pwd)/db.sqlite3}
# Webhooks to a receiver on this machine (http://127.0.0.1:…); alerts' e-mails printed here (docs/alerts.md).
export WEBHOOKS_ALLOW_LOOPBACK=1 EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py seed_demo
echo "Sijil is at http://${HOST:-127.0.0.1}:${PORT:-8000}/ (admin: /admin/, API: /api/v1/)"
exec "$PYTHON" manage.py runserver --noreload "${HOST:-127.0.0.1}:${PORT:-8000}"
