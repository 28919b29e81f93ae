"""Readers: who follows which topics, and delivering each article to them exactly once
(docs/architecture.md, "Readers")."""
