#!/usr/bin/env bash
# The README's own commands, typed as a new user types them (CI runs this from .ci/run after
# `mvn -B verify`), so a README line that breaks fails CI: `./stampede up`, the quick start's
# curls, the README's `mvn -pl simulations gatling:test` (short) with Gatling's report written,
# the same from simulations/, one experiment curl followed to its verdict, the seed's suite as a
# scenario, `./stampede down`. On the README's default ports (8008, 8001, 8002, 4222, ...): run
# it on a machine where no other stack holds them. About 2 minutes on a warm build.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$ROOT"
T0=$SECONDS
H='Content-Type: application/json'
say() { printf 'readme-test [%3ds]: %s\n' "$((SECONDS - T0))" "$*"; }
fail() {
    say "FAILED: $*" >&2
    ./stampede status >&2 || true
    exit 1
}
cleanup() { ./stampede down >/dev/null 2>&1 || true; }
trap cleanup EXIT

# shellcheck source=lib.sh
source "$ROOT/deploy/test/lib.sh"
exp_is() { [[ "$(curl -sf "localhost:8008/experiments/$1" | jq -r .status)" == "$2" ]]; }
# the newest Gatling report under simulations/target/gatling, if any
newest_report() { find simulations/target/gatling -mindepth 2 -maxdepth 2 -name index.html -newer "$1" 2>/dev/null | head -n 1; }

t=$SECONDS
./stampede up || fail "./stampede up exited $?"
say "./stampede up: $((SECONDS - t)) s"

# The quick start's curls, as written.
for port in 8008 8001 8002; do
    curl -sf "localhost:$port/healthz" >/dev/null || fail "curl localhost:$port/healthz"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST localhost:8001/webhook \
    -H "Content-Type: application/json" \
    -d '{"symbol": "AAPL", "side": "buy", "price": 189.5, "quantity": 10}')
[[ "$code" == 202 ]] || fail "POST /webhook answered $code, not 202"
[[ "$(curl -s localhost:8001/metrics)" == *gateway_webhooks_received_total* ]] || fail "no gateway_webhooks_received_total"
grep -qE 'mcp_(signals_received|decisions_generated|duplicates_detected)_total' <<<"$(curl -s localhost:8002/metrics)" \
    || fail "no mcp_* counters on the agent"
curl -sf localhost:8008/templates >/dev/null || fail "GET /templates"
say "quick-start curls answered"

# The README's Gatling command against the running stack (shorter), then from simulations/.
mark="$(mktemp)"
t=$SECONDS
mvn -B -pl simulations gatling:test -Drps=20 -Dduration_s=5 -Dpayload_size=512 \
    || fail "mvn -pl simulations gatling:test exited $?"
report="$(newest_report "$mark")"
[[ -n "$report" ]] || fail "mvn -pl simulations gatling:test wrote no report under simulations/target/gatling"
say "mvn -pl simulations gatling:test: $((SECONDS - t)) s, report $report"
touch "$mark"
t=$SECONDS
(cd simulations && mvn -B gatling:test -Drps=20 -Dduration_s=3 -Dpayload_size=512) \
    || fail "mvn gatling:test in simulations/ exited $?"
[[ -n "$(newest_report "$mark")" ]] || fail "mvn gatling:test in simulations/ wrote no report"
say "mvn gatling:test in simulations/: $((SECONDS - t)) s"
rm -f "$mark"

# One of the README's experiment curls (shorter), followed to its verdict, and its report.
id=$(curl -sf -X POST localhost:8008/experiments -H "$H" \
    -d '{"type": "nats_latency", "delay_ms": 100, "duration_s": 5}' | jq -r .experiment_id)
[[ -n "$id" && "$id" != null ]] || fail "POST /experiments gave no experiment_id"
await 40 exp_is "$id" completed || fail "$id did not complete: $(curl -s "localhost:8008/experiments/$id")"
verdict_settled() { [[ "$(curl -sf "localhost:8008/experiments/$1" | jq -r .verdict.status)" =~ ^(pass|fail|inconclusive)$ ]]; }
await 60 verdict_settled "$id" || fail "$id verdict never settled: $(curl -s "localhost:8008/experiments/$id" | jq -c .verdict)"
verdict=$(curl -sf "localhost:8008/experiments/$id" | jq -r .verdict.status)
[[ "$verdict" == pass ]] || fail "$id verdict $verdict: $(curl -s "localhost:8008/experiments/$id" | jq -c .verdict)"
# the page in a variable: `curl | grep -q` under pipefail fails when grep closes the pipe early
page=$(curl -sf "localhost:8008/experiments/$id/report") || fail "GET /experiments/$id/report exited $?"
[[ "$page" == *"<html"* ]] || fail "GET /experiments/$id/report is not an HTML page"
curl -sf -X DELETE localhost:8008/experiments >/dev/null || fail "DELETE /experiments"
say "experiment $id: completed, verdict $verdict"

# The README's scenario command.
t=$SECONDS
./stampede scenario chaos_engineering_suite --time-scale 0.05 || fail "./stampede scenario exited $?"
say "./stampede scenario chaos_engineering_suite: $((SECONDS - t)) s"

t=$SECONDS
./stampede down || fail "./stampede down exited $?"
trap - EXIT
for port in 8008 8001 8002; do
    if curl -s -m 1 -o /dev/null "localhost:$port/healthz"; then fail "port $port still answers after down"; fi
done
say "./stampede down: $((SECONDS - t)) s; passed"
