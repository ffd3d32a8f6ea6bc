"""The Celery application. Workers: `celery -A config worker`; beat: `celery -A config beat`.

With no `CELERY_BROKER_URL` the tasks run in-process (the embedded default);
see `CELERY_TASK_ALWAYS_EAGER` in the settings.
"""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sijil")
app.config_from_object("django.conf:settings", namespace="CELERY")
if app.conf.task_always_eager and not app.conf.broker_url:
    # In-process tasks send nothing anywhere: an in-memory transport, not kombu's default AMQP on localhost
    # (whose "No hostname was supplied" warning the demo printed at its start).
    app.conf.broker_url = "memory://localhost/"
app.autodiscover_tasks()

# A worker process keeps large, long-lived caches (the matcher's `PairCache`, each record's facts, the text
# readings): with the interpreter's default first threshold (700) the cyclic collector's full collections,
# which walk all of them, were about 15 % of a batch's CPU. Collected less often, the same objects are
# freed; only cyclic garbage waits a little longer. Work a process does is unchanged.
WORKER_GC_THRESHOLD = (10_000, 10, 10)


@worker_process_init.connect
def collect_less_often(**kwargs: object) -> None:
    gc.set_threshold(*WORKER_GC_THRESHOLD)
