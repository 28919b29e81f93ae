"""What operators see: log lines that tell the story, structured logs, Prometheus metrics."""
