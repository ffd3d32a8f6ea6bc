"""The Celery application. Workers: `celery -A config worker`; beat: `celery -A config beat`.

With no `CELERY_BROKER_URL` the tasks run in-process (the embedded default);
see `CELERY_TASK_ALWAYS_EAGER` in the settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sijil")
app.config_from_object("django.conf:settings", namespace="CELERY")
if app.conf.task_always_eager and not app.conf.broker_url:
    # In-process tasks send nothing anywhere: an in-memory transport, not kombu's default AMQP on localhost
    # (whose "No hostname was supplied" warning the demo printed at its start).
    app.conf.broker_url = "memory://localhost/"
app.autodiscover_tasks()
