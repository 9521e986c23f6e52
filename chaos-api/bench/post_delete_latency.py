#!/usr/bin/env python3
"""POST + DELETE of an experiment at a fixed pace against a running chaos API; prints latency
percentiles of each, and GET /experiments/{id} and GET /healthz measured in the same run as a
baseline (reads that touch no injector).

    ./stampede up && python3 chaos-api/bench/post_delete_latency.py [--rate 50] [--seconds 20] \
        [--body '{"type":"nats_latency","delay_ms":1,"duration_s":60}']

The default body goes through the real latency proxy (apply = PUT on its admin API, revert =
DELETE), so the figures include a real injector round trip. Requests are paced from intended
start times; a late request's wait counts as latency (no coordinated omission).
"""
import argparse
import http.client
import json
import time


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8008)
    ap.add_argument("--rate", type=float, default=50, help="POST+DELETE pairs per second")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--body", default='{"type":"nats_latency","delay_ms":1,"duration_s":60}')
    a = ap.parse_args()

    conn = http.client.HTTPConnection(a.host, a.port, timeout=30)
    lat = {"POST": [], "DELETE": [], "GET one": [], "GET healthz": []}
    errors = 0
    n = int(a.rate * a.seconds)
    start = time.perf_counter()
    for i in range(n):
        intended = start + i / a.rate
        now = time.perf_counter()
        if now < intended:
            time.sleep(intended - now)
        conn.request("POST", "/experiments", body=a.body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        body = r.read()
        lat["POST"].append(time.perf_counter() - intended)
        if r.status != 201:
            errors += 1
            print("POST answered", r.status, body[:200])
            continue
        eid = json.loads(body)["experiment_id"]
        t = time.perf_counter()
        conn.request("GET", "/experiments/" + eid)
        conn.getresponse().read()
        lat["GET one"].append(time.perf_counter() - t)
        t = time.perf_counter()
        conn.request("DELETE", "/experiments/" + eid)
        r = conn.getresponse()
        r.read()
        lat["DELETE"].append(time.perf_counter() - t)
        if r.status != 200:
            errors += 1
        t = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        lat["GET healthz"].append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    print(f"{n} POST+DELETE pairs in {elapsed:.1f} s ({n / elapsed:.1f}/s asked {a.rate}/s), errors {errors}")
    print(f"{'request':<12} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for k, v in lat.items():
        print(f"{k:<12} {pct(v, 50) * 1e3:8.2f} {pct(v, 90) * 1e3:8.2f} {pct(v, 99) * 1e3:8.2f} {max(v) * 1e3:8.2f}")
    p50_get = pct(lat["GET healthz"], 50)
    print(f"ratio POST p50 / GET healthz p50: {pct(lat['POST'], 50) / p50_get:.1f}x; "
          f"DELETE p50 / GET healthz p50: {pct(lat['DELETE'], 50) / p50_get:.1f}x")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
