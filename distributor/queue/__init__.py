"""Between intake and workers: task and queue names, the Celery producer, the outbox and the
scheduler for waits longer than Celery's countdown."""
