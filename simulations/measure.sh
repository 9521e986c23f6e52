#!/usr/bin/env bash
# Achieved vs asked RPS of WebhookSimulation against the demo gateway, compared with wrk (closed
# loop) against the same endpoint, in one script so the numbers share the same machine state.
# Needs: nats-server, wrk, and a build: mvn -B -o -DskipTests package -pl demo,simulations -am
# Usage: simulations/measure.sh [duration_s=30] [rates="50 200 1000"]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${1:-30}
RATES=${2:-"50 200 1000"}
OUT=${OUT:-$ROOT/simulations/target/measure-$(date +%Y%m%d-%H%M%S)}
NATS_PORT=${NATS_PORT:-24222}; GW_PORT=${GW_PORT:-28001}; AGENT_PORT=${AGENT_PORT:-28002}
URL=http://127.0.0.1:$GW_PORT/webhook
mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$OUT/js" >"$OUT/nats.log" 2>&1 & PIDS+=($!)
sleep 1
export NATS_URL=nats://127.0.0.1:$NATS_PORT GATEWAY_PORT=$GW_PORT AGENT_PORT=$AGENT_PORT
java -Xmx512m -jar "$ROOT/demo/target/gateway.jar" >"$OUT/gateway.log" 2>&1 & PIDS+=($!)
java -Xmx512m -jar "$ROOT/demo/target/agent.jar" >"$OUT/agent.log" 2>&1 & PIDS+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$GW_PORT/healthz" >/dev/null && curl -sf "http://127.0.0.1:$AGENT_PORT/healthz" >/dev/null && break; sleep 0.5; done

SIM=$ROOT/simulations/target
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
gatling() { # rps dir
  # shellcheck disable=SC2086
  java -Xmx768m $OPENS -Dgatling.data.enableAnalytics=false -Drps="$1" -Dduration_s="$DUR" -Dramp_s=3 \
    -Dpayload_size=4096 -Dtarget_url="$URL" -Drun_dir="$2" \
    -cp "$SIM/test-classes:$SIM/lib/*" io.gatling.app.Gatling -s io.stampede.simulations.WebhookSimulation -rf "$2/gatling" \
    >"$2/gatling.log" 2>&1 || echo "gatling exit $? at $1 rps (2 = assertions failed)" >>"$2/gatling.log"
}
# warm-up so the first rate does not pay the gateway's JIT
mkdir -p "$OUT/warmup"; DUR=10 gatling 100 "$OUT/warmup"
cpu_ticks() { local t=0; for p in "${PIDS[@]}"; do t=$((t + $(awk '{print $14+$15}' /proc/"$p"/stat 2>/dev/null || echo 0))); done; echo $t; }
echo "| tool | asked rps | achieved send rps | response rps | requests | KO | p50 ms | p99 ms | max ms | Gatling p99 ms | nats+gateway+agent CPU % |" | tee "$OUT/table.md"
echo "|---|---|---|---|---|---|---|---|---|---|---|" | tee -a "$OUT/table.md"
for r in $RATES; do
  d=$OUT/gatling-$r; mkdir -p "$d"; c0=$(cpu_ticks); t0=$(date +%s.%N); gatling "$r" "$d"; c1=$(cpu_ticks); t1=$(date +%s.%N)
  cpu=$(python3 -c "print(round(100*($c1-$c0)/$(getconf CLK_TCK)/($t1-$t0)))")
  python3 - "$d/summary.json" "$r" "$d/gatling.log" "$cpu" <<'PY' | tee -a "$OUT/table.md"
import json,re,sys; j=json.load(open(sys.argv[1])); log=open(sys.argv[3]).read()
# summary.json in the reports format (../reports/README.md): values, the gatling record, the http series
s=dict(j['values']); s.update(next(c['values'] for c in j['counters'] if c['source']=='gatling'))
h=next(l for l in j['latency'] if l['series']=='http' and l['tag'] is None)
g=re.search(r"response time 99th percentile \(ms\)\s+\|\s+([\d,]+)",log); g=g.group(1) if g else "?"
print(f"| Gatling (open, shareConnections) | {sys.argv[2]} | {s['achieved_per_s']:.1f} ({100*s['achieved_per_s']/float(sys.argv[2]):.1f} %) | {s['response_per_s']:.1f} | {s['ok']+s['ko']} | {s['ko']} | {h['p50_us']/1000:.1f} | {h['p99_us']/1000:.1f} | {h['max_us']/1000:.1f} | {g} | {sys.argv[4]} |")
PY
done
for c in 16 64; do
  c0=$(cpu_ticks); t0=$(date +%s.%N)
  wrk -t2 -c$c -d"${DUR}s" --latency -s "$ROOT/simulations/wrk-post.lua" "$URL" >"$OUT/wrk-c$c.txt" 2>&1
  c1=$(cpu_ticks); t1=$(date +%s.%N); cpu=$(python3 -c "print(round(100*($c1-$c0)/$(getconf CLK_TCK)/($t1-$t0)))")
  python3 - "$OUT/wrk-c$c.txt" "$c" "$cpu" <<'PY' | tee -a "$OUT/table.md"
import re,sys; t=open(sys.argv[1]).read()
rps=re.search(r"Requests/sec:\s+([\d.]+)",t).group(1); n=re.search(r"(\d+) requests in",t).group(1)
p50=re.search(r"50%\s+(\S+)",t).group(1); p99=re.search(r"99%\s+(\S+)",t).group(1)
non2=re.search(r"Non-2xx or 3xx responses: (\d+)",t); ko=non2.group(1) if non2 else "0"
print(f"| wrk closed loop, {sys.argv[2]} connections | (max) | - | {rps} | {n} | {ko} | {p50} | {p99} | | | {sys.argv[3]} |")
PY
done
echo "results in $OUT"
