"""The Celery layer: the worker app (``app``), thin tasks (``tasks``), the beat schedule."""
