#!/usr/bin/env bash
# deploy/agents/compose.yaml end to end (CI runs it from .ci/run after deploy/test/compose-test.sh):
# stampede/nats and stampede/loadgen built here (nothing pulled), nats + AGENTS agent replicas
# `up -d`, the coordinator `run --agents N --rate R --duration D --json` on demand, its merged
# JSON summary checked with jq (N agents, merged sent = sum of the agents', sent within 1% of
# R x D, not degraded, the run record written), `down -v`.
# Own project name (stampede_agents_test) and free host ports: never the main stack's.
# Environment: AGENTS [3], RATE [3000], DURATION [5] (seconds).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$ROOT"
T0=$SECONDS
N="${AGENTS:-3}"
RATE="${RATE:-3000}"
DURATION="${DURATION:-5}"
# not "stampede-...": compose-test.sh checks that no container named stampede-* is left after its down -v
PROJECT=stampede_agents_test

say() { printf 'agents-compose-test [%3ds]: %s\n' "$((SECONDS - T0))" "$*"; }
COMPOSE=(docker-compose -p "$PROJECT" -f deploy/agents/compose.yaml --profile agents)
if ! command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker compose -p "$PROJECT" -f deploy/agents/compose.yaml --profile agents); fi
OUT="$(mktemp -d /tmp/stampede-agents-test.XXXXXX)"
fail() {
    say "FAILED: $*" >&2
    "${COMPOSE[@]}" ps >&2 || true
    "${COMPOSE[@]}" logs --no-color --tail=20 >&2 || true
    [[ -s "$OUT/coordinator.err" ]] && { echo "--- coordinator stderr (last 30 lines)" >&2; tail -n 30 "$OUT/coordinator.err" >&2; }
    exit 1
}
cleanup() {
    timeout 60 "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    rm -rf "$OUT"
}
trap cleanup EXIT

# shellcheck source=lib.sh
source "$ROOT/deploy/test/lib.sh"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

command -v jq >/dev/null || fail "jq is required (apt-get install jq)"
t=$SECONDS
timeout 600 deploy/docker/build-images.sh nats loadgen >"$OUT/images.log" 2>&1 || { cat "$OUT/images.log" >&2; fail "building stampede/nats and stampede/loadgen failed"; }
say "images stampede/nats, stampede/loadgen built in $((SECONDS - t)) s"

# the nats service publishes its ports on 127.0.0.1: free ones here, never 4222/8222
export AGENTS="$N" AGENTS_NATS_PORT="$(free_port)" AGENTS_NATS_MONITOR_PORT="$(free_port)"
unset NATS_URL
t=$SECONDS
timeout 120 "${COMPOSE[@]}" up -d >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log" >&2; fail "up -d failed"; }
running() { [[ "$("${COMPOSE[@]}" ps -q agent | xargs -r docker inspect -f '{{.State.Running}}' | grep -c true)" == "$N" ]]; }
await 60 running || fail "$N agent containers not running within 60 s"
agents_up() { [[ "$("${COMPOSE[@]}" logs --no-color agent 2>/dev/null | grep -c 'load agent .* on nats://')" -ge "$N" ]]; }
await 60 agents_up || fail "$N agents did not say they are up within 60 s"
say "nats + $N agents up in $((SECONDS - t)) s (nats published on 127.0.0.1:$AGENTS_NATS_PORT)"

t=$SECONDS
rc=0
# --agent-stale 10: a report delayed by a loaded CI machine must not make the run "degraded"
timeout $((DURATION + 90)) "${COMPOSE[@]}" run --rm -T coordinator \
    run --agents "$N" --rate "$RATE" --duration "$DURATION" --payload-size 256 --agents-timeout 30 --agent-stale 10 \
    --run-dir /runs/agents-compose-test --json >"$OUT/coordinator.out" 2>"$OUT/coordinator.err" || rc=$?
((rc == 0)) || fail "the coordinator exited $rc"
summary="$(tail -n 1 "$OUT/coordinator.out")"
jq -e . >/dev/null 2>&1 <<<"$summary" || fail "the coordinator's last stdout line is not JSON: $summary"
say "coordinator ran in $((SECONDS - t)) s"

check() {
    local what="$1" expr="$2"
    jq -e --argjson n "$N" --argjson rate "$RATE" --argjson d "$DURATION" "$expr" >/dev/null <<<"$summary" \
        || fail "$what: $(jq -c --argjson n "$N" --argjson rate "$RATE" --argjson d "$DURATION" \
            '{sent, failed, degraded, missing, agents: [.agents[] | {name, sent, missing}], expected: ($rate * $d)}' <<<"$summary")"
}
check "$N agent entries, distinct names" '(.agents | length) == $n and ([.agents[].name] | unique | length) == $n'
check "every agent sent" 'all(.agents[]; .sent > 0 and (.missing | not))'
check "merged sent = sum of the agents' sent" '.sent == ([.agents[].sent] | add)'
check "merged lateness count = sum of the agents'" '.lateness.count == ([.agents[].lateness.count] | add) and .lateness.count == .sent'
check "sent within 1% of rate x duration" '((.sent - $rate * $d) | fabs) <= 0.01 * $rate * $d'
check "not degraded, none missing, none failed" '.degraded == false and (.missing | length) == 0 and .failed == 0'

# the run record, in the coordinator's named volume
vol="$(docker volume inspect -f '{{.Mountpoint}}' "${PROJECT}_runs" 2>/dev/null || true)"
if [[ -n "$vol" && -r "$vol" ]]; then
    [[ -s "$vol/agents-compose-test/summary.json" && -s "$vol/agents-compose-test/lateness.hlog" ]] \
        || fail "no run record in the runs volume ($vol/agents-compose-test: $(ls "$vol/agents-compose-test" 2>&1 | paste -sd' '))"
    jq -e '.completed == true' "$vol/agents-compose-test/summary.json" >/dev/null || fail "summary.json: not completed"
    record="run record summary.json, lateness.hlog written"
else
    record="run record not checked (volume not readable here)"
fi
say "$(jq -r '"merged sent \(.sent) = \([.agents[].sent] | map(tostring) | join(" + ")); \(.achieved_per_s) msg/s; lateness p50 \(.lateness.p50) us, p99 \(.lateness.p99) us, max \(.lateness.max) us; degraded \(.degraded)"' <<<"$summary"); $record"

timeout 60 "${COMPOSE[@]}" down -v --remove-orphans >"$OUT/down.log" 2>&1 || { cat "$OUT/down.log" >&2; fail "down -v failed"; }
[[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")" ]] || fail "containers left after down -v"
say "passed in $((SECONDS - T0)) s"
