#!/usr/bin/env python3
"""Polls GET /healthz and GET /experiments/{id} every 20 ms while an experiment runs on a running
chaos API, and prints the answers' latency percentiles: the event loop must never wait on the
verdict ticker, a backlog read or an agent round (issue 21's check on the real stack).

    ./stampede up && python3 chaos-api/bench/poll_during_experiment.py [--seconds 45] \
        [--body '{"type":"backpressure","rate_multiplier":50,"duration_s":60}']

Each endpoint has its own connection and thread; request i is sent at start + i * period (open
model: a slow answer does not thin out later requests). Two figures per endpoint: the answer's own
time (send to last byte) and the time from the intended send, which also counts any wait for
the previous answer. The experiment is deleted at the end. Exit 0; the figures are the result.
"""
import argparse
import http.client
import json
import threading
import time


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else float("nan")


def poll(host, port, path, start, period, until, out):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    i = 0
    while True:
        intended = start + i * period
        if intended >= until:
            break
        now = time.monotonic()
        if intended > now:
            time.sleep(intended - now)
        t0 = time.monotonic()
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            status = r.status
        except OSError:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
            status = 0
        t1 = time.monotonic()
        out.append(((t1 - t0) * 1000.0, (t1 - intended) * 1000.0, status))
        i += 1
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8008)
    ap.add_argument("--seconds", type=float, default=45)
    ap.add_argument("--period-ms", type=float, default=20)
    ap.add_argument("--body", default='{"type":"backpressure","rate_multiplier":50,"duration_s":60}')
    a = ap.parse_args()

    c = http.client.HTTPConnection(a.host, a.port, timeout=30)
    c.request("POST", "/experiments", body=a.body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    created = json.loads(r.read() or b"{}")
    if r.status != 201:
        print(f"POST /experiments answered {r.status}: {created}")
        return 1
    eid = created["experiment_id"]
    print(f"experiment {eid}: {a.body}; polling every {a.period_ms:g} ms for {a.seconds:g} s")

    start = time.monotonic() + 0.1
    until = start + a.seconds
    results = {"/healthz": [], f"/experiments/{eid}": []}
    threads = [threading.Thread(target=poll, args=(a.host, a.port, path, start, a.period_ms / 1000.0, until, out))
               for path, out in results.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    c.request("DELETE", f"/experiments/{eid}")
    c.getresponse().read()
    c.close()

    print(f"{'GET':<34} {'n':>5} {'non-200':>7} {'p50 ms':>7} {'p99 ms':>7} {'worst ms':>8} "
          f"{'p99 from intended':>17} {'worst from intended':>19}")
    for path, out in results.items():
        own = [o for o, _, _ in out]
        late = [l for _, l, _ in out]
        bad = sum(1 for _, _, s in out if s != 200)
        print(f"{path:<34} {len(out):>5} {bad:>7} {pct(own, 50):>7.1f} {pct(own, 99):>7.1f} {max(own):>8.1f} "
              f"{pct(late, 99):>17.1f} {max(late):>19.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
