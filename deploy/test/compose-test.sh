#!/usr/bin/env bash
# The compose quick start, end to end (CI runs it from .ci/run after `mvn -B verify`):
# images built here, `up -d`, the seed's healthz curls, a nats_latency experiment, a container
# hang applied (docker reports the gateway paused) and healed (running, healthz 200 again), an
# agent crash (container killed, started again by the revert),
# Prometheus scraping every job with container metrics per target, the seed's log greps, `down -v`.
# Ports: the seed's, or the launcher's variables (GATEWAY_PORT, STAMPEDE_PORT, ...).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$ROOT"
T0=$SECONDS
API="localhost:${STAMPEDE_PORT:-8008}"
GW="localhost:${GATEWAY_PORT:-8001}"
AG="localhost:${AGENT_PORT:-8002}"
PROM="localhost:${PROMETHEUS_PORT:-9090}"
H='Content-Type: application/json'

PLAIN=(docker-compose)
COMPOSE=("${PLAIN[@]}" -f docker-compose.dev.yml -p stampede)
say() { printf 'compose-test [%3ds]: %s\n' "$((SECONDS - T0))" "$*"; }
fail() {
    say "FAILED: $*" >&2
    "${COMPOSE[@]}" ps >&2 || true
    "${COMPOSE[@]}" logs --tail=30 >&2 || true
    exit 1
}
cleanup() { "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

# shellcheck source=lib.sh
source "$ROOT/deploy/test/lib.sh"
status() { docker inspect -f '{{.State.Status}}' "$1"; }
is_status() { [[ "$(status "$1")" == "$2" ]]; }
exp_field() { curl -sf "$API/experiments/$1" | jq -r ".$2"; }
exp_is() { [[ "$(exp_field "$1" status)" == "$2" ]]; }

t=$SECONDS
./stampede images
say "images built in $((SECONDS - t)) s"
# after `images`, which installs the `docker compose` plugin shim when only docker-compose 1.29 exists
if docker compose version >/dev/null 2>&1; then PLAIN=(docker compose); fi
COMPOSE=("${PLAIN[@]}" -f docker-compose.dev.yml -p stampede)
say "using ${COMPOSE[*]}"

t=$SECONDS
"${COMPOSE[@]}" up -d
for url in "$API/healthz" "$GW/healthz" "$AG/healthz"; do
    await 120 curl -sf "$url" || fail "$url did not answer 200 within 120 s"
done
say "stack healthy $((SECONDS - t)) s after up -d"

# the seed's Quick Start
curl -sf "$API/healthz" | jq -e '.status == "ok"' >/dev/null || fail "chaos API not ok"
curl -sf "$API/templates" | jq -e '.templates | length > 0' >/dev/null || fail "no templates"
lat=$(curl -sf -X POST "$API/experiments" -H "$H" -d '{"type": "nats_latency", "delay_ms": 100, "duration_s": 5}' | jq -r .experiment_id)
say "nats_latency $lat created"

# a container hang, applied and healed
hang=$(curl -sf -X POST "$API/experiments" -H "$H" \
    -d '{"type": "service_failure", "service": "gateway", "failure_type": "hang", "duration_s": 6}' | jq -r .experiment_id)
[[ "$hang" == chaos_service_failure_* ]] || fail "service_failure not created: $hang"
await 15 is_status stampede-gateway-1 paused || fail "gateway container not paused (status $(status stampede-gateway-1))"
say "$hang: gateway container paused"
if curl -sf -m 2 "$GW/healthz" >/dev/null; then fail "a paused gateway answered"; fi
await 30 exp_is "$hang" completed || fail "$hang did not complete: $(curl -s "$API/experiments/$hang")"
is_status stampede-gateway-1 running || fail "gateway not running after the revert"
await 15 curl -sf "$GW/healthz" || fail "gateway not healthy after the revert"
say "$hang: healed (fault $(exp_field "$hang" fault), gateway healthy)"
await 30 exp_is "$lat" completed || fail "$lat did not complete"

# the seed's agent crash: the container is killed, then started again by the revert
crash=$(curl -sf -X POST "$API/experiments" -H "$H" \
    -d '{"type": "service_failure", "service": "agent", "failure_type": "crash", "duration_s": 3}' | jq -r .experiment_id)
await 15 is_status stampede-agent-1 exited || fail "agent container not killed (status $(status stampede-agent-1))"
await 30 exp_is "$crash" completed || fail "$crash did not complete: $(curl -s "$API/experiments/$crash")"
await 30 curl -sf "$AG/healthz" || fail "agent not healthy after the crash's revert"
say "$crash: agent container killed, started again, healthy"

# backpressure, for the seed's per-experiment log grep
bp=$(curl -sf -X POST "$API/experiments" -H "$H" -d '{"type": "backpressure", "rate_multiplier": 2, "duration_s": 5}' | jq -r .experiment_id)
await 30 exp_is "$bp" completed || fail "$bp did not complete"

# Prometheus: every job up, container metrics for each target, the fault window seen
prom() { curl -sf "$PROM/api/v1/query" --data-urlencode "query=$1"; }
prom_has() { prom "$1" | jq -e "(.data.result | length) >= $2" >/dev/null; }
await 60 prom_has 'up == 1' 4 || fail "not every scrape job is up: $(prom up)"
await 30 prom_has 'container_memory_usage_bytes{name=~"gateway|agent"}' 2 || fail "no container memory for gateway and agent"
await 30 prom_has 'rate(container_cpu_usage_seconds_total{name=~"gateway|agent"}[1m])' 2 || fail "no container CPU for gateway and agent"
await 30 prom_has 'nats_up == 1' 1 || fail "no NATS metrics"
prom_has "max_over_time(stampede_fault_active{experiment_id=\"$hang\"}[5m]) == 1" 1 || fail "the hang's fault window is not in Prometheus"
say "Prometheus: 4 jobs up, container CPU/memory per target, NATS, the hang's fault window"

# the seed's Log Correlation, verbatim: a plain `docker compose logs` finds docker-compose.dev.yml
# and the project through the repository's .env
logs="$("${PLAIN[@]}" logs 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g')"
grep -q "_chaos_" <<<"$logs" || fail "\`${PLAIN[*]} logs | grep _chaos_\` finds nothing (is .env read?)"
grep -q "_chaos_" <<<"$logs" || fail "no _chaos_ field in the logs"
# which service said it: each service's own log, captured first. Under pipefail a `grep | grep -q`
# fails whenever grep -q exits before the first grep has written everything (SIGPIPE): a CI flake
agent_logs="$("${COMPOSE[@]}" logs --no-color agent 2>/dev/null)"
api_logs="$("${COMPOSE[@]}" logs --no-color chaos-api 2>/dev/null)"
grep -q "$bp" <<<"$agent_logs" || fail "the agent's logs do not name $bp"
grep -q "$hang" <<<"$api_logs" || fail "the chaos API's logs do not name $hang"
say "logs: $(grep -c _chaos_ <<<"$logs") lines with _chaos_, $(grep -c "$bp" <<<"$logs") naming $bp"

"${COMPOSE[@]}" down -v --remove-orphans
trap - EXIT
[[ -z "$(docker ps -aq --filter name=stampede-)" ]] || fail "containers left after down -v"
say "passed in $((SECONDS - T0)) s"
