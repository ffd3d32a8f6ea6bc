"""The Celery application. Workers: `celery -A config worker`; beat: `celery -A config beat`.

With no `CELERY_BROKER_URL` the tasks run in-process (the embedded default);
see `CELERY_TASK_ALWAYS_EAGER` in the settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sijil")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
