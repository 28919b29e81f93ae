"""Test helpers that start real processes (workers, API, Redis) and clean them up."""
