"""The Grafana dashboard and the alert rules in docs/ ask only for metrics the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import Counter, Gauge, Histogram
from redis import Redis

from distributor.keys import Keys
from distributor.observe import metrics
from distributor.observe.state import StateCollector

DOCS = Path(__file__).parents[1] / "docs"
NAME = re.compile(r"\bdistributor_[a-z_]+\b")
SUFFIXES = {Counter: ("_total",), Histogram: ("_bucket", "_sum", "_count"), Gauge: ("",)}


def exported(redis: Redis, keys: Keys) -> set[str]:
    names = {
        family.name + suffix
        for metric in vars(metrics).values()
        if isinstance(metric, Counter | Histogram | Gauge)
        for family in metric.describe()
        for suffix in SUFFIXES[type(metric)]
    }
    return names | {family.name for family in StateCollector(redis, keys).collect()}


def test_dashboard_queries_exported_metrics(redis_client: Redis, keys: Keys) -> None:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text("utf-8"))
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 14
    used = {name for expr in exprs for name in NAME.findall(expr)}
    assert used <= exported(redis_client, keys), used - exported(redis_client, keys)


def test_alert_rules_cover_in_doubt_failed_and_backlog(redis_client: Redis, keys: Keys) -> None:
    rules = yaml.safe_load((DOCS / "prometheus-alerts.yml").read_text("utf-8"))
    [group] = rules["groups"]
    by_name = {rule["alert"]: rule for rule in group["rules"]}
    assert {"DistributorDeliveriesInDoubt", "DistributorDeliveryFailed",
            "DistributorBacklogGrowing"} <= set(by_name)  # fmt: skip
    for rule in by_name.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        used = set(NAME.findall(rule["expr"]))
        assert used and used <= exported(redis_client, keys), rule["alert"]
