#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/*.json (run: python3 deploy/grafana/dashboards.py).

The dashboards are generated so that every panel has the same shape: a datasource variable
(${datasource}), queries that yield 0 rather than nothing while a series is idle, and the
reference scenario's PromQL expressions verbatim. launcher-it's DashboardQueriesTest runs every
query below against a real Prometheus scraping the stack.
"""
import json
import pathlib

DS = {"type": "prometheus", "uid": "${datasource}"}
OUT = pathlib.Path(__file__).resolve().parent / "dashboards"


def zero(expr):
    """expr, or a single 0 when expr has no series (idle, or not scraped yet). A quantile of an
    idle histogram is NaN (0/0): `>= 0` drops it, so it reads 0 as well."""
    if expr.startswith("histogram_quantile("):
        return f"{expr} >= 0 or on() vector(0)"
    return f"{expr} or on() vector(0)"


class Board:
    def __init__(self, uid, title, description, tags):
        self.uid, self.title, self.description, self.tags = uid, title, description, tags
        self.panels, self.annotations = [], []
        self.x = self.y = 0
        self.next_id = 1

    def row(self, title):
        if self.x:
            self.x, self.y = 0, self.y + 8
        self.panels.append({"type": "row", "title": title, "id": self.next_id, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1

    def panel(self, title, targets, kind="timeseries", unit="short", w=12, description="", thresholds=None):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + 8
        p = {
            "type": kind, "title": title, "id": self.next_id, "datasource": DS, "description": description,
            "gridPos": {"h": 8, "w": w, "x": self.x, "y": self.y},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "none"}} if kind == "timeseries" else
                       {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area", "textMode": "auto"},
            "targets": [{"datasource": DS, "refId": chr(ord("A") + i), "expr": e, "legendFormat": l, "range": True}
                        for i, (e, l) in enumerate(targets)],
        }
        if thresholds:
            p["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": thresholds}
            if kind == "timeseries":
                p["fieldConfig"]["defaults"]["custom"] = {"thresholdsStyle": {"mode": "line"}}
        self.panels.append(p)
        self.next_id += 1
        self.x += w

    def fault_annotations(self):
        self.annotations.append({
            "name": "Fault windows", "datasource": DS, "enable": True, "iconColor": "red",
            "expr": "stampede_fault_active == 1", "step": "5s",
            "titleFormat": "{{type}} on {{target}}", "textFormat": "{{experiment_id}}",
            "tagKeys": "type,target,experiment_id", "useValueForTime": False,
        })

    def json(self):
        annotations = [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
                        "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
                        "type": "dashboard"}] + self.annotations
        return {
            "uid": self.uid, "title": self.title, "description": self.description, "tags": self.tags,
            "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
            "time": {"from": "now-30m", "to": "now"}, "refresh": "5s", "timezone": "",
            "annotations": {"list": annotations},
            "templating": {"list": [{
                "name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
                "current": {}, "hide": 0, "refresh": 1, "regex": "", "includeAll": False, "multi": False}]},
            "panels": self.panels,
        }


def golden_path():
    b = Board("stampede-golden-path", "Stampede / Golden Path",
              "Webhooks → signals → decisions: rates and latencies of the system under test.", ["stampede"])
    b.fault_annotations()
    b.row("Message processing rates")
    # the reference scenario's three rates, verbatim
    b.panel("Webhooks received /s", [(zero("sum(rate(gateway_webhooks_received_total[5m]))"), "webhooks (5m)"),
                                     (zero("sum(rate(gateway_webhooks_received_total[$__rate_interval]))"), "webhooks")], unit="reqps", w=8)
    b.panel("Signals received /s", [(zero("sum(rate(mcp_signals_received_total[5m]))"), "signals (5m)"),
                                    (zero("sum(rate(mcp_signals_received_total[$__rate_interval]))"), "signals")], unit="ops", w=8)
    b.panel("Decisions generated /s", [(zero("sum(rate(mcp_decisions_generated_total[5m]))"), "decisions (5m)"),
                                       (zero("sum(rate(mcp_decisions_generated_total[$__rate_interval]))"), "decisions")], unit="ops", w=8)
    b.panel("Flow: webhooks → signals → decisions", [
        (zero("sum(rate(gateway_signals_published_total[$__rate_interval]))"), "gateway published"),
        (zero("sum(rate(mcp_signals_received_total[$__rate_interval]))"), "agent received"),
        (zero("sum(rate(mcp_decisions_generated_total[$__rate_interval]))"), "decisions"),
        (zero("sum(rate(mcp_duplicates_detected_total[$__rate_interval]))"), "duplicates ignored")], unit="ops", w=24)
    b.row("Latency")
    b.panel("Processing p95 (agent)", [
        (zero("histogram_quantile(0.95, rate(mcp_processing_duration_seconds_bucket[5m]))"), "{{instance}} p95 (5m)"),
        (zero("histogram_quantile(0.95, sum by (le) (rate(mcp_processing_duration_seconds_bucket[$__rate_interval])))"), "p95")],
        unit="s", w=8)
    b.panel("Gateway request p95", [
        (zero("histogram_quantile(0.95, sum by (le) (rate(gateway_request_duration_seconds_bucket[$__rate_interval])))"), "p95")],
        unit="s", w=8)
    b.panel("End-to-end latency (intended send → decision)", [
        (zero('max(stampede_e2e_latency_seconds{quantile="0.5"})'), "p50"),
        (zero('max(stampede_e2e_latency_seconds{quantile="0.99"})'), "p99"),
        (zero('max(stampede_e2e_latency_seconds{quantile="1"})'), "max")], unit="s", w=8)
    return b


def chaos_testing():
    b = Board("stampede-chaos-testing", "Stampede / Chaos Testing",
              "Experiments and their impact: fault windows (annotations from stampede_fault_active), "
              "verdict counts, error rate against the 5 % budget, target vs achieved rate, consumer lag.",
              ["stampede", "chaos"])
    b.fault_annotations()
    b.row("Experiments")
    b.panel("Active experiments", [(zero('sum(stampede_experiments{state="running"})'), "running"),
                                   (zero('sum(stampede_experiments{state="scheduled"})'), "scheduled")], kind="stat", w=6)
    b.panel("Faults applied", [(zero("sum(stampede_fault_active)"), "applied")], kind="stat", w=6)
    b.panel("Fault windows", [(zero("max by (experiment_id, type, target) (stampede_fault_active)"), "{{type}} {{target}} {{experiment_id}}")], w=12)
    b.row("Verdict (live)")
    b.panel("Overdue / lost / duplicated", [
        (zero("sum(stampede_verdict_overdue)"), "overdue"),
        (zero("sum(stampede_verdict_lost)"), "lost"),
        (zero("sum(stampede_verdict_duplicated)"), "duplicated")], w=12)
    b.panel("Duplicates sent vs detected", [
        (zero("sum(rate(stampede_baseline_duplicates_sent_total[$__rate_interval]))"), "duplicates sent"),
        (zero("sum(rate(mcp_duplicates_detected_total[$__rate_interval]))"), "detected by the agent"),
        (zero("sum(rate(gateway_signals_duplicate_total[$__rate_interval]))"), "dropped by the stream (gateway)")], unit="ops", w=12)
    b.row("Errors")
    b.panel("Error rate vs the 5 % budget", [
        (zero("stampede:error_ratio:rate1m"), "error ratio"),
        (zero("sum(rate(gateway_validation_errors_total[5m]))"), "gateway validation errors /s (5m)"),
        (zero("sum(rate(mcp_errors_total[5m]))"), "agent errors /s (5m)")],
        unit="percentunit", w=12, thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 0.05}])
    b.panel("Errors /s", [
        (zero("rate(gateway_validation_errors_total[5m])"), "validation {{instance}}"),
        (zero("rate(mcp_errors_total[5m])"), "agent {{instance}}"),
        (zero("sum(rate(gateway_publish_rejected_total[$__rate_interval]))"), "stream full (503)"),
        (zero("sum(rate(gateway_publish_failures_total[$__rate_interval]))"), "publish failures")], unit="ops", w=12)
    b.row("Load")
    b.panel("Baseline: target vs achieved rate", [
        (zero("max(stampede_baseline_target_rate)"), "target"),
        (zero("max(stampede_baseline_achieved_rate)"), "achieved"),
        (zero("sum(rate(stampede_baseline_acked_total[$__rate_interval]))"), "acked")], unit="ops", w=12)
    b.panel("Consumer lag", [
        (zero("sum by (stream, consumer) (nats_consumer_num_pending)"), "{{stream}}/{{consumer}} pending"),
        (zero("sum by (stream, consumer) (nats_consumer_num_ack_pending)"), "{{stream}}/{{consumer}} unacked")], w=12)
    b.panel("Targets up (chaos API's probes)", [(zero("min by (target) (stampede_target_up)"), "{{target}}")], w=12)
    b.panel("Fault apply / revert p95", [
        (zero("histogram_quantile(0.95, sum by (le) (rate(stampede_fault_apply_duration_seconds_bucket[$__rate_interval])))"), "apply"),
        (zero("histogram_quantile(0.95, sum by (le) (rate(stampede_fault_revert_duration_seconds_bucket[$__rate_interval])))"), "revert")],
        unit="s", w=12)
    return b


def system_health():
    b = Board("stampede-system-health", "Stampede / System Health",
              "CPU and memory per target (cAdvisor's metric names), JVMs, NATS.", ["stampede"])
    b.fault_annotations()
    b.row("System resources")
    # the reference scenario's two queries, verbatim
    b.panel("CPU per target (cores)", [(zero("rate(container_cpu_usage_seconds_total[5m])"), "{{name}} (5m)"),
                                       (zero("rate(container_cpu_usage_seconds_total[$__rate_interval])"), "{{name}}")], unit="short", w=12)
    b.panel("Memory per target", [(zero("container_memory_usage_bytes"), "{{name}}")], unit="bytes", w=12)
    b.row("JVM")
    b.panel("Heap used", [(zero('sum by (job) (jvm_memory_used_bytes{area="heap"})'), "{{job}}")], unit="bytes", w=12)
    b.panel("GC pause time /s", [(zero("sum by (job) (rate(jvm_gc_pause_seconds_sum[$__rate_interval]))"), "{{job}}")], unit="s", w=12)
    b.row("NATS")
    b.panel("NATS up / connections", [(zero("max(nats_up)"), "up"), (zero("max(nats_varz_connections)"), "connections")], w=8)
    b.panel("NATS messages /s", [(zero("sum(rate(nats_varz_in_msgs_total[$__rate_interval]))"), "in"),
                                 (zero("sum(rate(nats_varz_out_msgs_total[$__rate_interval]))"), "out")], unit="ops", w=8)
    b.panel("JetStream stored", [(zero("sum by (stream) (nats_stream_messages)"), "{{stream}}")], w=8)
    b.panel("Scrape targets up", [(zero("up"), "{{job}}")], w=12)
    b.panel("NATS memory / slow consumers", [(zero("max(nats_varz_mem_bytes)"), "memory"),
                                             (zero("sum(increase(nats_varz_slow_consumers_total[$__rate_interval]))"), "slow consumers")], w=12)
    return b


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, board in (("golden-path", golden_path()), ("chaos-testing", chaos_testing()), ("system-health", system_health())):
        (OUT / f"{name}.json").write_text(json.dumps(board.json(), indent=2) + "\n")
        print(f"wrote {OUT / (name + '.json')}")
