"""Celery side of distributor: the app factory and thin tasks."""
