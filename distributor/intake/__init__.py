"""Intake: webhook signatures, payload adapters, and accepting an event onto the queue."""
