import gc

from config.celery import WORKER_GC_THRESHOLD, collect_less_often


def test_a_worker_process_collects_cyclic_garbage_less_often():
    before = gc.get_threshold()
    try:
        collect_less_often(sender=None)
        assert gc.get_threshold() == WORKER_GC_THRESHOLD
        assert WORKER_GC_THRESHOLD[0] > before[0]
    finally:
        gc.set_threshold(*before)
