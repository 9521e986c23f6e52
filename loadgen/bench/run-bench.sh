#!/usr/bin/env bash
# Build the loadgen jar and run the benchmark (starts its own nats-server unless --nats-url is given).
# Usage: loadgen/bench/run-bench.sh [bench options...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [[ ! -f loadgen/target/loadgen.jar || -n "${REBUILD:-}" ]]; then
  mvn -B -q -pl loadgen -am package -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar loadgen/target/loadgen.jar bench "$@"
