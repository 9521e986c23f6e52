#!/usr/bin/env python3
"""POST + DELETE pairs at a fixed rate against a running chaos API (open model: pair i starts at
start + i/rate on a pool of connections, whatever earlier pairs are doing); prints latency
percentiles of POST (from the intended start, so a backlog counts), DELETE, and of GET
/experiments and GET /healthz sampled alongside as a baseline measured in the same run.

    ./stampede up && python3 chaos-api/bench/post_delete_latency.py [--rate 50] [--seconds 20] \
        [--body '{"type":"nats_latency","delay_ms":1,"duration_s":60}']

The default body goes through the real latency proxy (apply = PUT on its admin API, revert =
DELETE), so each pair includes a real injector round trip and six fsynced journal records.
"""
import argparse
import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor


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
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--body", default='{"type":"nats_latency","delay_ms":1,"duration_s":60}')
    a = ap.parse_args()

    local = threading.local()
    lock = threading.Lock()
    lat = {"POST": [], "DELETE": [], "pair": [], "GET /experiments": [], "GET /healthz": []}
    errors = []

    def conn():
        if not hasattr(local, "c"):
            local.c = http.client.HTTPConnection(a.host, a.port, timeout=30)
        return local.c

    def call(method, path, body=None):
        c = conn()
        headers = {"Content-Type": "application/json"} if body else {}
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, r.read()

    def pair(intended):
        now = time.perf_counter()
        if now < intended:
            time.sleep(intended - now)
        status, body = call("POST", "/experiments", a.body)
        t_post = time.perf_counter()
        if status != 201:
            with lock:
                errors.append(f"POST {status} {body[:120]!r}")
            return
        eid = json.loads(body)["experiment_id"]
        t0 = time.perf_counter()
        status, body = call("DELETE", "/experiments/" + eid)
        t1 = time.perf_counter()
        with lock:
            lat["POST"].append(t_post - intended)
            lat["DELETE"].append(t1 - t0)
            lat["pair"].append(t1 - intended)
            if status != 200:
                errors.append(f"DELETE {status} {body[:120]!r}")

    def sample(intended, path, key):
        now = time.perf_counter()
        if now < intended:
            time.sleep(intended - now)
        call("GET", path)
        with lock:
            lat[key].append(time.perf_counter() - intended)

    n = int(a.rate * a.seconds)
    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(a.workers) as pool:
        for i in range(n):
            t = start + i / a.rate
            pool.submit(pair, t)
            if i % 5 == 0:  # 10/s of each read at the default rate
                pool.submit(sample, t + 0.5 / a.rate, "/experiments?status=running", "GET /experiments")
                pool.submit(sample, t + 0.7 / a.rate, "/healthz", "GET /healthz")
    elapsed = time.perf_counter() - start
    done = len(lat["pair"])
    print(f"{done} POST+DELETE pairs in {elapsed:.1f} s: {done / elapsed:.1f} pairs/s (asked {a.rate:g}/s), "
          f"errors {len(errors)}")
    for e in errors[:5]:
        print("  ", e)
    print(f"{'request':<18} {'n':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for k, v in lat.items():
        print(f"{k:<18} {len(v):>5} {pct(v, 50) * 1e3:8.2f} {pct(v, 90) * 1e3:8.2f} {pct(v, 99) * 1e3:8.2f} "
              f"{max(v) * 1e3 if v else float('nan'):8.2f}")
    print(f"ratio POST p50 / GET /healthz p50: {pct(lat['POST'], 50) / pct(lat['GET /healthz'], 50):.1f}x "
          f"(POST = journal fsync + response; apply runs after the 201)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
